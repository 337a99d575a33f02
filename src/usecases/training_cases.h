// The training and model-registry use cases the API offers, apart from HTTP: start a training
// run (one at a time), read its status (the result backend's state, the model row's lifecycle
// state when the backend has none), read a model with its live feedback and transitions, and
// an operator's traffic override of a model (PUT /models/{id}: the share, and the manual state
// transition it implies). Thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "common/task_state.h"
#include "queue/broker.h"
#include "queue/result_backend.h"
#include "store/store.h"

namespace mlprod::usecases {

struct TrainingCasesDeps {
  store::Store& store;
  queue::Broker& broker;
  queue::ResultBackend& backend;
  std::string task_name;           // what training tasks are published as
  std::filesystem::path data_dir;  // what relative model paths are relative to
};

struct TrainingStart {
  std::string task_id;
  // Set when a run was queued or running already: that one, and nothing was queued.
  std::optional<store::ModelRow> already;
};

struct TrainingStatus {
  bool found = true;  // false: no such training
  TaskState state = TaskState::kPending;
  std::optional<store::ModelRow> model;  // its row, when the store has it
};

struct ModelDetails {
  store::ModelRow model;
  store::ModelFeedback feedback;
  std::vector<store::ModelTransitionRow> transitions;
};

// Why a traffic override was refused (the API answers 404 or 409 with `message`).
enum class OverrideRefusal { kNone, kNotFound, kRefused };

struct OverrideResult {
  OverrideRefusal refused = OverrideRefusal::kNone;
  std::string message;
  std::optional<ModelDetails> details;  // the model afterwards, when not refused
};

class TrainingCases {
 public:
  explicit TrainingCases(TrainingCasesDeps deps);

  // Queues a run with `reason`, unless one is queued or running (then `already`). Serialised
  // in this process; API processes sharing a store may still race each other into a second.
  Result<TrainingStart> Start(const std::string& reason);
  Result<TrainingStatus> Status(const std::string& task_id);
  // The model with its live feedback and its transitions; nullopt when there is no such model.
  Result<std::optional<ModelDetails>> Details(const std::string& model_id);
  Result<ModelDetails> Details(store::ModelRow model);
  // Every model, newest first, with its live feedback.
  Result<std::vector<std::pair<store::ModelRow, store::ModelFeedback>>> List();
  // Gives the model `share` of the traffic: 1.0 promotes, a partial share makes a candidate a
  // canary, 0 retires a promoted model or rolls a canary back. Refused for a model that cannot
  // serve (not trained, or its folder does not load), for the last active model that loads
  // (share 0), and for a transition the lifecycle does not allow.
  Result<OverrideResult> SetTraffic(const std::string& model_id, double share);

 private:
  TrainingCasesDeps deps_;
  std::string origin_;
  Mutex start_mu_;  // "is one queued or running? else queue one", one caller at a time
};

}  // namespace mlprod::usecases
