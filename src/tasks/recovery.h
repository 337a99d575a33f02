// What an embedded process (`mlprod serve`: the in-process queue dies with the process) does on
// start so that no accepted task is lost to a stop or a crash: the store is the durable log.
// Inferences left PENDING or STARTED are queued again under their own task ids (the inference
// task is idempotent per task id: a task whose rows were committed writes nothing again);
// training runs left pending are queued again; a run left training (the process died inside
// it) is marked failed with that reason, since its half-written folder is never registered.
// Call before the workers start; thread-safe as the store and broker are.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/result.h"
#include "queue/broker.h"
#include "queue/result_backend.h"
#include "queue/task_names.h"
#include "store/store.h"

namespace mlprod::tasks {

struct RecoveryReport {
  long long inferences_requeued = 0;
  long long inferences_failed = 0;    // rows without a user: nothing to run
  long long inferences_recorded = 0;  // finished by a worker that left the row unfinished
  long long trainings_requeued = 0;
  long long trainings_failed = 0;
};

// Which unfinished inferences RequeueUnfinishedInferences queues again.
struct RequeueScope {
  // Only rows neither created nor updated since then (nullopt: every unfinished row).
  std::optional<std::chrono::system_clock::time_point> older_than;
  long long max_rows = -1;  // at most this many rows (< 0: no bound)
  // When set, each queued row's time_update becomes this, so it waits a full interval again.
  std::optional<std::chrono::system_clock::time_point> touch_at;
  // When set (nullable), a row whose task this backend holds as finished gets that state
  // instead of a publish: a reference worker's inference writes its results but leaves the row
  // PENDING for the API to record, which happens only when a client asks for the status.
  queue::ResultBackend* backend = nullptr;
};

// Publishes each selected PENDING/STARTED inference again under its own task id and the
// inference name of `names` (--task-names); a row without a user is marked FAILURE instead.
// Adds to report.inferences_requeued / inferences_failed.
Status RequeueUnfinishedInferences(store::InferenceStore& store, queue::Broker& broker,
                                   const std::string& origin, const RequeueScope& scope,
                                   const queue::PublishedTaskNames& names, RecoveryReport& report);

// Tasks are published under the names of `names` (--task-names).
Result<RecoveryReport> RecoverUnfinishedTasks(store::Store& store, queue::Broker& broker,
                                              const std::string& origin,
                                              const queue::PublishedTaskNames& names);

}  // namespace mlprod::tasks
