// The inference task (`mlprod.worker.tasks.inference.inference(user_id)`): scores every location
// for the user with the model the traffic split picks (on a canary's share of tasks, with both
// the current model and the canary, interleaved; on the exploration share in a random order) and
// stores one result row per location with its propensity, idempotently per task id. Pure logic over
// the store and the model pool; no transport. Feeds each scored request into the drift monitor when
// one is given. Thread-safe: Run may be called from many worker threads at once.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "common/result.h"
#include "drift/drift_monitor.h"
#include "queue/task.h"
#include "store/store.h"
#include "tasks/exploration.h"
#include "tasks/model_pool.h"

namespace mlprod::tasks {

// True for a value Run returned (an object with "model_id" and "results"): the worker stores it
// in the result backend only after the store committed the row as SUCCESS. A reference worker's
// inference returns null and leaves the row to its API.
bool IsInferenceTaskResult(const nlohmann::json& result);

class InferenceTask {
 public:
  // drift (nullable, must outlive the task) receives every scored user with the primary model
  // (the largest traffic share), so a traffic split does not flip the drift reference.
  // explore: the exploration share (none unless given; the processes' flag defaults to 0.05).
  InferenceTask(store::Store& store, ModelPool& models, drift::DriftMonitor* drift = nullptr,
                ExploreOptions explore = ExploreOptions{.share = 0});

  // args: [user_id] (or kwargs {"user_id": n}). Returns {"user_id", "model_id", "results"} and
  // "explored": true for an explored task, else for a canary's task "interleaved_with": the
  // candidate. An explored task of the canary's share shows the random order (the deterministic
  // order its propensities refer to is the interleaved one). A task that fails for good (any
  // error but kUnavailable and kDeadlineExceeded, which the worker requeues) also sets its
  // inference row to FAILURE, so the store does not read PENDING until someone polls, and the
  // sweeper and the start-up recovery leave the row alone.
  Result<nlohmann::json> Run(const queue::TaskMessage& message);

 private:
  Result<nlohmann::json> Score(const queue::TaskMessage& message);
  struct InterleavedList {
    std::vector<int> ranks;  // shown position per scored location
    std::vector<std::uint8_t> from_candidate;
    std::vector<float> candidate_scores;
  };
  // A canary's task: the candidate scores too; the shown order is the team-draft interleaving
  // of both rankings (rows of the candidate's team are to carry its score).
  Result<InterleavedList> Interleave(const std::string& task_id, const User& user,
                                     const ServingModel& current, const ServingModel& candidate,
                                     std::span<const float> current_scores);
  Status SaveExplored(const std::string& task_id, std::int64_t user_id, const std::string& model_id,
                      std::span<const store::ScoredLocation> scored,
                      std::span<const int> deterministic_ranks);

  store::Store& store_;
  ModelPool& models_;
  drift::DriftMonitor* drift_;
  ExploreOptions explore_;
};

// The user id argument of an inference message (kInvalidArgument when absent or not an integer).
Result<std::int64_t> InferenceUserId(const queue::TaskMessage& message);

}  // namespace mlprod::tasks
