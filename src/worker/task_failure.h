// How a failed task is recorded in Celery's format: the Python exception type closest to each of
// our error kinds (so Celery clients re-raise something familiar) and a FAILURE TaskResult.
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"
#include "queue/task.h"

namespace mlprod::worker {

// "ValueError" for kInvalidArgument, "LookupError" for kNotFound, ... (all Python builtins).
std::string_view PythonExceptionFor(ErrorCode code);

// A FAILURE result {"exc_type","exc_message":[message],"exc_module"} with a short traceback.
queue::TaskResult Failure(const queue::TaskMessage& message, std::string_view exc_type,
                          std::string_view exc_message, std::string_view exc_module = "builtins");

}  // namespace mlprod::worker
