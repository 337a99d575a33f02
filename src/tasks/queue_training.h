// Queues one training run the one way every starter does (POST /train/start and the automatic
// retraining trigger): the model row in state pending with the starter's reason, then the task
// on the broker; a failed publish leaves the row failed, never pending forever. Not the training
// itself (training_task.h). Thread-safe as the store and broker are.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "queue/broker.h"
#include "queue/task.h"
#include "store/model_registry.h"

namespace mlprod::tasks {

// A new task message named `task_name` with a fresh UUID (also its root id) and `origin`
// ("<pid>@<host>", who publishes it).
queue::TaskMessage NewTaskMessage(std::string_view task_name, const std::string& origin);

// "<pid>@<host>" of this process.
std::string ProcessOrigin();

// The newest training queued or running (its model row pending or training), if any: what a
// repeated POST /train/start answers with instead of queueing another.
Result<std::optional<store::ModelRow>> TrainingInProgress(store::ModelRegistry& store);

// Registers task.id as a pending model with `reason` and publishes `task` (a training task,
// under whichever name --task-names chose).
// Errors: the store's when the row cannot be written; kUnavailable "Task queue unavailable, try
// again later" when the publish fails (the row is then moved to failed with the broker's error).
Status QueueTraining(store::ModelRegistry& store, queue::Broker& broker,
                     const queue::TaskMessage& task, const std::string& reason);

}  // namespace mlprod::tasks
