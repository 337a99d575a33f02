#include "store/sql/wal_checkpointer.h"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <string>

#include "common/clock.h"
#include "store/sql/query.h"

namespace mlprod::store {

WalCheckpoint CheckpointWal(soci::session& s, const char* mode) {
  WalCheckpoint out;
  Query(s, std::string("PRAGMA wal_checkpoint(") + mode + ")")
      .Into(out.busy)
      .Into(out.log_pages)
      .Into(out.done_pages)
      .Run();
  return out;
}

WalCheckpointer::WalCheckpointer(Opener open, Mutex& writers, Options options)
    : open_(std::move(open)), writers_(writers), options_(options) {
  if (options_.interval.count() > 0) thread_ = std::thread([this] { Loop(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

long long WalCheckpointer::rounds() const {
  MutexLock lock(mu_);
  return rounds_;
}

long long WalCheckpointer::restarts() const {
  MutexLock lock(mu_);
  return restarts_;
}

bool WalCheckpointer::RunOnce() { return !thread_.joinable() && Round(); }

void WalCheckpointer::Loop() {
  for (;;) {
    {
      MutexLock lock(mu_);
      if (wake_.wait_for(lock.native(), options_.interval,
                         [this]() MLPROD_REQUIRES(mu_) { return stopping_; })) {
        break;
      }
    }
    Round();
  }
  session_.reset();
}

bool WalCheckpointer::Round() {
  try {
    if (!session_) session_ = open_();
    const WalCheckpoint passive = CheckpointWal(*session_, "PASSIVE");
    bool restarted = false;
    if (passive.log_pages > options_.restart_above_pages) {
      // With this process's writers held back, the checkpoint catches up with the end of the
      // log (waiting, in the busy handler, for readers of older snapshots to finish), and the
      // next writer starts the log over from its beginning.
      const auto t0 = SystemClock().SteadyNow();
      MutexLock writers(writers_);
      const WalCheckpoint restart = CheckpointWal(*session_, "RESTART");
      restarted = restart.busy == 0;
      spdlog::debug(
          "store: WAL restart checkpoint ({} pages, busy {}) held writers {:.1f} ms",
          restart.log_pages, restart.busy,
          std::chrono::duration<double, std::milli>(SystemClock().SteadyNow() - t0).count());
    }
    warned_ = false;
    MutexLock lock(mu_);
    ++rounds_;
    if (restarted) ++restarts_;
    return true;
  } catch (const std::exception& e) {
    // The store's own calls report database errors; here one line per failure streak.
    if (!warned_) spdlog::warn("store: background WAL checkpoint failed: {}", e.what());
    warned_ = true;
    session_.reset();
    return false;
  }
}

}  // namespace mlprod::store
