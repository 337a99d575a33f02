// The inference use cases the API offers, apart from HTTP: start one (its row first, then its
// message; a message that cannot be published marks the row FAILURE), read its status (the
// result backend's state, with the store's row as proof the task exists and as the fallback
// when the backend forgot it), record an answered status in the row, read its results, take
// its one answer. The API's handlers parse, call one of these and serialise what it returns.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/records.h"
#include "common/result.h"
#include "common/task_state.h"
#include "metrics/api_metrics.h"
#include "queue/broker.h"
#include "queue/result_backend.h"
#include "store/store.h"
#include "usecases/backpressure.h"
#include "usecases/inference_tracker.h"

namespace mlprod::usecases {

struct InferenceCasesDeps {
  store::Store& store;
  queue::Broker& broker;
  queue::ResultBackend& backend;
  std::string task_name;                   // what inference tasks are published as
  long long max_queue = 0;                 // QueueGate's bound; 0 = none
  metrics::ApiMetrics* metrics = nullptr;  // nullable: the tracker's gauge, the queue depth
  const Clock* clock = &SystemClock();
};

enum class StartOutcome {
  kStarted,
  kQueueFull,  // refused before anything was written: the queue is at max_queue
  kQueueDown,  // the row was written but the message could not be published (row: FAILURE)
};

struct StartedInference {
  StartOutcome outcome = StartOutcome::kStarted;
  std::string task_id;  // set unless kQueueFull
};

// How much of the store's row a status lookup reads.
enum class RowRead {
  kAlways,      // read it
  kDeferrable,  // a long poll's first lookup: a task this process started, still running,
                // answers without it (`deferred`)
  kKnown,       // an earlier lookup of the same request found it: a final state needs no read
};

struct InferenceStatus {
  bool found = true;  // false: no such inference
  TaskState state = TaskState::kPending;
  bool ready = false;
  bool recorded = false;  // the row already holds `state`: nothing for RecordStatus to write
  bool deferred = false;  // the row was not read (RowRead::kDeferrable)
};

struct Answered {
  bool found = false;                   // false: no such result (404)
  std::optional<store::ResultRow> row;  // the picked row; unset for a rejection
  store::FeedbackOutcome feedback;
};

class InferenceCases {
 public:
  explicit InferenceCases(InferenceCasesDeps deps);

  // The user's row and the task's inference row in one transaction, then the task message.
  Result<StartedInference> Start(const User& user);
  Result<InferenceStatus> Status(const std::string& task_id, RowRead read);
  // The row takes `state` when it changes it (store::InferenceStore::UpdateInferenceStatus).
  mlprod::Status RecordStatus(const std::string& task_id, TaskState state);
  // The task's top `limit` rows in shown order; nullopt when there is no such inference.
  Result<std::optional<std::vector<store::ResultRow>>> Results(const std::string& task_id,
                                                               int limit);
  // The task's one answer: location_id -1 rejects the list. kInvalidArgument: a location the
  // task did not show; kConflict: a different answer came first.
  Result<Answered> Answer(const std::string& task_id, long long location_id);

  const InferenceTracker& tracker() const { return tracker_; }

 private:
  InferenceCasesDeps deps_;
  std::string origin_;  // "<pid>@<host>" for task messages
  InferenceTracker tracker_;
  QueueGate gate_;
};

}  // namespace mlprod::usecases
