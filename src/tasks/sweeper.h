// Distributed mode's net under the queue: inferences committed to the store but left PENDING or
// STARTED longer than `sweep_after` (an API killed between its commit and its publish, a purged
// queue, a worker that died mid-task after a purge) are published again under their own task
// ids; the inference task is idempotent per task id, so a duplicate writes nothing. A row whose
// task the result backend (when given) holds as finished gets that state instead: a reference
// worker in a mixed fleet leaves its rows PENDING, and its task is not idempotent. Of several
// processes sharing a database only the holder of the store lease "inference-sweeper" sweeps.
// It never feeds a backlog: it sweeps only while the broker queue is nearly empty, at most
// max_per_sweep rows a time, and marks each row it publishes (time_update), so a row is
// published again at most once per sweep_after. Not the task, not embedded mode's start-up
// recovery (tasks/recovery.h, whose requeue it reuses). Thread-safe: SweepOnce may run from
// any thread; Start runs it periodically on a thread of its own.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/periodic.h"
#include "common/result.h"
#include "queue/broker.h"
#include "queue/result_backend.h"
#include "queue/task_names.h"
#include "store/store.h"
#include "tasks/job_lease.h"

namespace mlprod::tasks {

inline constexpr const char* kSweeperLease = "inference-sweeper";

struct SweeperOptions {
  // A row unchanged for this long is taken for lost. Default: 60 s
  std::chrono::milliseconds sweep_after = std::chrono::seconds(60);
  // Sweeps only while the broker queue holds at most this many messages (a longer queue may
  // still hold the rows). Default: 100
  long long max_depth = 100;
  // Rows published per sweep at most. Default: 1000
  long long max_per_sweep = 1000;
  // The lease outlives a silent owner by this much before another process takes over.
  // Default: 30 s
  std::chrono::milliseconds lease_ttl = std::chrono::seconds(30);
  // Unique among the processes sharing the database. Default: "<pid>@<host>/<random>"
  std::string holder;
  // The inference name rows are published under (--task-names). Default: the mlprod names
  queue::PublishedTaskNames task_names;
  // When set (nullable, must outlive the sweeper), a row whose task the result backend holds as
  // finished gets that state instead of a publish (RequeueScope::backend). Default: none
  queue::ResultBackend* backend = nullptr;
  // Wall time (leases in Unix ms, timestamps of rows); app/ passes its clock, tests a fake.
  const Clock* clock = &SystemClock();
};

struct SweepReport {
  bool owner = false;     // this process held the lease
  long long depth = -1;   // the queue depth seen (-1: unknown or not asked)
  bool held_off = false;  // owner, but the queue was too long (or its depth unknown)
  long long republished = 0;
  long long failed = 0;    // rows without a user, marked FAILURE
  long long recorded = 0;  // rows the result backend held as finished, given that state
};

class Sweeper {
 public:
  // on_republished (may be empty) runs with the count of each sweep that published any.
  Sweeper(store::Store& store, queue::Broker& broker, SweeperOptions options,
          std::function<void(long long)> on_republished = {});
  ~Sweeper();  // stops the thread of Start and gives the lease up
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // Takes or renews the lease; as its holder, with the queue nearly empty, publishes the rows
  // unfinished for longer than sweep_after again.
  Result<SweepReport> SweepOnce();
  // Runs SweepOnce every `interval` until destruction; errors are logged.
  void Start(std::chrono::milliseconds interval);

  const std::string& holder() const { return lease_.holder(); }

 private:
  store::Store& store_;
  queue::Broker& broker_;
  SweeperOptions options_;
  std::function<void(long long)> on_republished_;
  std::string origin_;
  JobLease lease_;
  // As of the last SweepOnce, for logging changes only.
  bool held_off_ MLPROD_GUARDED_BY(sweep_mu_) = false;
  Mutex sweep_mu_;     // one SweepOnce at a time
  Periodic periodic_;  // last: stops first
};

}  // namespace mlprod::tasks
