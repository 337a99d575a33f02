// Celery's result-backend value format (SPEC §4): TaskResult <-> the JSON stored under
// `celery-task-meta-<id>` in Redis, and the shape of a FAILURE result. Pure; thread-safe.
// Not the storage itself (see result_backend.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "queue/task.h"

namespace mlprod::queue {

inline constexpr std::string_view kResultKeyPrefix = "celery-task-meta-";

// "celery-task-meta-<id>": the Redis key and the PUBLISH channel of a task's result.
std::string ResultKey(std::string_view task_id);

// {"status","result","traceback","children":[],"date_done","task_id"}.
nlohmann::json EncodeTaskResult(const TaskResult& result);
std::string EncodeTaskResultText(const TaskResult& result);

// Decodes a stored value; a malformed value is an InvalidArgument error naming the part.
Result<TaskResult> DecodeTaskResult(const nlohmann::json& value);
Result<TaskResult> DecodeTaskResultText(std::string_view text);

// The `result` of a FAILURE: {"exc_type","exc_message":[message],"exc_module"}.
nlohmann::json FailureResult(std::string_view exc_type, std::string_view message,
                             std::string_view exc_module = "builtins");

// Celery's result for an expired task: TaskRevokedError('expired') from celery.exceptions.
nlohmann::json RevokedResult(std::string_view reason);

}  // namespace mlprod::queue
