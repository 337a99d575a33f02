// Background WAL checkpoints for a SQLite file store. By default SQLite checkpoints inside the
// COMMIT of whichever writer pushes the log past 1000 pages: that writer copies the log into the
// database file and syncs it while every other writer of the process waits behind it (measured:
// ~15 % of `mlprod serve`'s loop rate). The store turns that off (wal_autocheckpoint = 0) and
// this thread checkpoints instead, in PASSIVE mode, which blocks neither writers nor readers.
// A log that is always being appended to is never restarted from its beginning, so once it
// holds more than `restart_above_pages` the thread briefly holds the process's writers back
// (the store's writer mutex) for a RESTART checkpoint of the little the last round left over.
// Internal to the store module. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <thread>

#include "common/mutex.h"

namespace soci {
class session;
}

namespace mlprod::store {

// One `PRAGMA wal_checkpoint(<mode>)` (PASSIVE, FULL, RESTART, TRUNCATE) and its answer row.
struct WalCheckpoint {
  int busy = 0;              // 1 when a RESTART/FULL could not finish (readers or writers held on)
  long long log_pages = 0;   // frames in the log
  long long done_pages = 0;  // frames copied into the database file
};
WalCheckpoint CheckpointWal(soci::session& s, const char* mode);

class WalCheckpointer {
 public:
  // Opens the checkpointer's own connection (may throw; retried on the next round).
  using Opener = std::function<std::unique_ptr<soci::session>()>;

  struct Options {
    // Time between checkpoints; zero: no thread, the owner calls RunOnce (tests).
    std::chrono::milliseconds interval{100};
    // Log size (pages) that triggers a RESTART checkpoint; bounds the -wal file's size.
    long long restart_above_pages = 8192;  // 32 MiB of 4 KiB pages
  };

  // `writers` is held during a RESTART checkpoint; the store's writers take it too.
  WalCheckpointer(Opener open, Mutex& writers, Options options);
  ~WalCheckpointer();  // stops and joins the thread
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // One round now: a PASSIVE checkpoint, then a RESTART one when the log is over the threshold.
  // Only without a thread (interval zero). False when the database reported an error.
  bool RunOnce();

  // Rounds that completed, and how many of them restarted the log (for tests).
  long long rounds() const;
  long long restarts() const;

 private:
  void Loop();
  bool Round();

  std::unique_ptr<soci::session> session_;  // used by one thread: the loop's, or RunOnce's caller
  bool warned_ = false;

  Opener open_;
  Mutex& writers_;
  Options options_;
  mutable Mutex mu_;
  std::condition_variable wake_;
  bool stopping_ MLPROD_GUARDED_BY(mu_) = false;
  long long rounds_ MLPROD_GUARDED_BY(mu_) = 0;
  long long restarts_ MLPROD_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace mlprod::store
