// The states of a task (Celery's: SPEC §4), shared by the queue that carries them, the store
// whose `inferences.status` column records them, and the API that answers them.
#pragma once

#include <optional>
#include <string_view>

namespace mlprod {

enum class TaskState { kPending, kStarted, kSuccess, kFailure, kRetry, kRevoked };

std::string_view TaskStateName(TaskState state);  // "PENDING", "STARTED", ...
std::optional<TaskState> ParseTaskState(std::string_view name);
// SUCCESS, FAILURE and REVOKED are final (Celery's READY_STATES).
bool IsReady(TaskState state);

}  // namespace mlprod
