// Data retention as a background job: every interval, the holder of the store lease "retention"
// deletes the unanswered history older than --retention-days (HistoryStore::DeleteExpiredHistory),
// in calls of bounded work that renew the lease between them, and logs what went. Of several
// processes sharing a database one acts at a time. The walk's position is saved in the store
// (CoordinationStore::SaveJobProgress "retention") after every call that moved it, so a restart or
// the next holder goes on from there instead of walking the kept history again. Not the SQL.
// Thread-safe: RunOnce may run from any thread (one at a time); Start runs it periodically on a
// thread of its own.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/periodic.h"
#include "common/result.h"
#include "store/coordination_store.h"
#include "store/history_store.h"
#include "store/store.h"
#include "tasks/job_lease.h"

namespace mlprod::tasks {

inline constexpr const char* kRetentionLease = "retention";

struct RetentionJobOptions {
  // History older than this many days goes; 0 keeps everything (RunOnce does nothing).
  // Default: 30
  int retention_days = 30;
  // Batch bounds and pauses; the cutoff is set per run from now() and retention_days.
  store::RetentionOptions batches;
  // DeleteExpiredHistory calls per run at most (each renews the lease first). Default: 100
  int max_calls = 100;
  // The lease outlives a silent owner by this much. Default: 5 min
  std::chrono::milliseconds lease_ttl = std::chrono::minutes(5);
  // Unique among the processes sharing the database. Default: "<pid>@<host>/<random>"
  std::string holder;
  // Time of the cutoff and the lease, and of the run's duration; app/ passes its clock, tests
  // a fake.
  const Clock* clock = &SystemClock();
};

// now - days as the store writes timestamps ("2026-11-01T12:00:00.000000Z").
std::string RetentionCutoff(std::chrono::system_clock::time_point now, int days);

// The walk's position as saved in the store (a small JSON object) and back; a text that does
// not parse gives the start (the walk is then done once more, which is safe).
std::string EncodeRetentionCursor(const store::RetentionCursor& cursor);
store::RetentionCursor DecodeRetentionCursor(std::string_view text);

class RetentionJob {
 public:
  // on_deleted (may be empty) runs after each run that deleted something, e.g. for a metric.
  // `history` deletes, `coordination` holds the lease and the walk's saved position: two roles
  // of the same store (one database).
  RetentionJob(store::HistoryStore& history, store::CoordinationStore& coordination,
               RetentionJobOptions options,
               std::function<void(const store::RetentionCounts&)> on_deleted = {});
  RetentionJob(store::Store& store, RetentionJobOptions options,
               std::function<void(const store::RetentionCounts&)> on_deleted = {})
      : RetentionJob(store, store, std::move(options), std::move(on_deleted)) {}
  ~RetentionJob();  // stops the thread of Start and gives the lease up
  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;

  // Takes or renews the lease; as its holder, deletes what expired (all zero counts when this
  // process is not the holder or retention_days is 0).
  Result<store::RetentionCounts> RunOnce();
  // Runs RunOnce every `interval` until destruction; errors are logged.
  void Start(std::chrono::milliseconds interval);

 private:
  store::HistoryStore& history_;
  store::CoordinationStore& coordination_;
  RetentionJobOptions options_;
  std::function<void(const store::RetentionCounts&)> on_deleted_;
  // The walk, read from the store at each run, saved as it moves.
  store::RetentionCursor cursor_ MLPROD_GUARDED_BY(run_mu_);
  JobLease lease_ MLPROD_GUARDED_BY(run_mu_);
  Mutex run_mu_;       // one RunOnce at a time
  Periodic periodic_;  // last: stops first
};

}  // namespace mlprod::tasks
