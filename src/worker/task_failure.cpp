#include "worker/task_failure.h"

#include <string>

#include "queue/celery_result.h"

namespace mlprod::worker {

std::string_view PythonExceptionFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "ValueError";
    case ErrorCode::kNotFound:
      return "LookupError";
    case ErrorCode::kUnauthenticated:
      return "PermissionError";
    case ErrorCode::kUnavailable:
      return "ConnectionError";
    case ErrorCode::kDeadlineExceeded:
      return "TimeoutError";
    case ErrorCode::kDataLoss:
      return "OSError";
    case ErrorCode::kConflict:
    case ErrorCode::kInternal:
      return "RuntimeError";
  }
  return "RuntimeError";
}

queue::TaskResult Failure(const queue::TaskMessage& m, std::string_view exc_type,
                          std::string_view exc_message, std::string_view exc_module) {
  queue::TaskResult r;
  r.task_id = m.id;
  r.state = queue::TaskState::kFailure;
  r.result = queue::FailureResult(exc_type, exc_message, exc_module);
  // Celery clients show the traceback; ours names the task instead of Python frames.
  r.traceback = "Traceback (most recent call last):\n  mlprod task \"" + m.task + "\"\n" +
                std::string(exc_type) + ": " + std::string(exc_message) + "\n";
  return r;
}

}  // namespace mlprod::worker
