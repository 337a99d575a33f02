// Task messages and task results as Celery protocol v2 describes them (SPEC §4), independent
// of any transport: the in-process queue, AMQP and Redis all carry these values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/task_state.h"

namespace mlprod::queue {

inline constexpr std::string_view kInferenceTask = "mlprod.worker.tasks.inference.inference";
inline constexpr std::string_view kTrainingTask = "mlprod.worker.tasks.train.training";
// Older names that earlier deployments of the reference publish; workers accept both.
inline constexpr std::string_view kLegacyInferenceTask = "worker.tasks.inference.inference";
inline constexpr std::string_view kLegacyTrainingTask = "worker.tasks.train.training";

struct TaskMessage {
  std::string id;    // UUID v4, also the AMQP correlation_id
  std::string task;  // task name
  nlohmann::json args = nlohmann::json::array();
  nlohmann::json kwargs = nlohmann::json::object();
  int retries = 0;
  std::optional<std::string> eta;         // ISO-8601 with offset
  std::optional<std::string> expires;     // ISO-8601 with offset
  std::optional<double> time_limit_hard;  // seconds
  std::optional<double> time_limit_soft;  // seconds
  std::string root_id;
  std::optional<std::string> parent_id;
  std::optional<std::string> group;
  std::string origin;  // "<pid>@<host>"
};

// The states, here as the queue's vocabulary (common/task_state.h).
using mlprod::IsReady;
using mlprod::ParseTaskState;
using mlprod::TaskState;
using mlprod::TaskStateName;

struct TaskResult {
  std::string task_id;
  TaskState state = TaskState::kPending;
  nlohmann::json
      result;  // task return value; for FAILURE {"exc_type","exc_message":[..],"exc_module"}
  std::string traceback;  // empty = null
  std::string date_done;  // naive ISO-8601 UTC; empty = null
};

}  // namespace mlprod::queue
