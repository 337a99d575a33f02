#include "tasks/queue_training.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/log.h"
#include "common/uuid.h"

namespace mlprod::tasks {

queue::TaskMessage NewTaskMessage(std::string_view task_name, const std::string& origin) {
  queue::TaskMessage m;
  m.id = NewTimeOrderedUuid();
  m.task = std::string(task_name);
  m.root_id = m.id;
  m.origin = origin;
  return m;
}

std::string ProcessOrigin() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::to_string(getpid()) + "@" + host;
}

Result<std::optional<store::ModelRow>> TrainingInProgress(store::ModelRegistry& store) {
  auto models = store.ListModels();  // newest first
  if (!models.ok()) return models.error();
  for (store::ModelRow& m : *models) {
    const auto state = m.state();
    if (state == store::ModelState::kPending || state == store::ModelState::kTraining) {
      return std::optional<store::ModelRow>(std::move(m));
    }
  }
  return std::optional<store::ModelRow>();
}

Status QueueTraining(store::ModelRegistry& store, queue::Broker& broker,
                     const queue::TaskMessage& task, const std::string& reason) {
  // As the reference does: the model row exists (pending) from the start, so GET /models shows
  // queued training runs.
  store::ModelRow row;
  row.task_id = task.id;
  row.status = std::string(store::ModelStateName(store::ModelState::kPending));
  row.reason = reason;
  MLPROD_RETURN_IF_ERROR(store.RegisterModel(row));
  if (auto published = broker.Publish(task); !published.ok()) {
    spdlog::error("publishing training {} failed: {}", task.id, published.error().message);
    IgnoreError("training: marking the model failed after a failed publish",
                store.TransitionModel(
                    {.model_id = task.id,
                     .from = store::ModelState::kPending,
                     .to = store::ModelState::kFailed,
                     .reason = "publishing the task failed: " + published.error().message}));
    return MakeError(ErrorCode::kUnavailable, "Task queue unavailable, try again later");
  }
  return OkStatus();
}

}  // namespace mlprod::tasks
