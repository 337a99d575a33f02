#include "common/task_state.h"

namespace mlprod {

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kPending:
      return "PENDING";
    case TaskState::kStarted:
      return "STARTED";
    case TaskState::kSuccess:
      return "SUCCESS";
    case TaskState::kFailure:
      return "FAILURE";
    case TaskState::kRetry:
      return "RETRY";
    case TaskState::kRevoked:
      return "REVOKED";
  }
  return "PENDING";
}

std::optional<TaskState> ParseTaskState(std::string_view name) {
  for (TaskState s : {TaskState::kPending, TaskState::kStarted, TaskState::kSuccess,
                      TaskState::kFailure, TaskState::kRetry, TaskState::kRevoked}) {
    if (TaskStateName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsReady(TaskState state) {
  return state == TaskState::kSuccess || state == TaskState::kFailure ||
         state == TaskState::kRevoked;
}

}  // namespace mlprod
