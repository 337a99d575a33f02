// The inference task (`mlprod.worker.tasks.inference.inference(user_id)`): scores every location
// for the user with the model the traffic split picks (on a canary's share of tasks, with both
// the current model and the canary, interleaved) and stores one result row per location,
// idempotently per task id. Pure logic over the store and the model pool; no transport.
// Feeds each scored request into the drift monitor when one is given. Thread-safe: Run may be
// called from many worker threads at once.
#pragma once

#include <nlohmann/json.hpp>
#include <span>

#include "common/result.h"
#include "drift/drift_monitor.h"
#include "queue/task.h"
#include "store/store.h"
#include "tasks/model_pool.h"

namespace mlprod::tasks {

class InferenceTask {
 public:
  // drift (nullable, must outlive the task) receives every scored user with the primary model
  // (the largest traffic share), so a traffic split does not flip the drift reference.
  InferenceTask(store::Store& store, ModelPool& models, drift::DriftMonitor* drift = nullptr);

  // args: [user_id] (or kwargs {"user_id": n}). Returns {"user_id", "model_id", "results"} and,
  // for a canary's task, "interleaved_with": the candidate.
  Result<nlohmann::json> Run(const queue::TaskMessage& message);

 private:
  // A canary's task: the candidate scores too, and the shown order is the team-draft
  // interleaving of both rankings (rows of the candidate's team carry its score).
  Status SaveInterleaved(const std::string& task_id, std::int64_t user_id, const User& user,
                         const ServingModel& current, const ServingModel& candidate,
                         std::span<const float> current_scores,
                         std::span<store::ScoredLocation> scored);

  store::Store& store_;
  ModelPool& models_;
  drift::DriftMonitor* drift_;
};

// The user id argument of an inference message (kInvalidArgument when absent or not an integer).
Result<std::int64_t> InferenceUserId(const queue::TaskMessage& message);

}  // namespace mlprod::tasks
