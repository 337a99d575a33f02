#include "tasks/recovery.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "queue/task.h"
#include "tasks/queue_training.h"

namespace mlprod::tasks {
namespace {

constexpr int kBatch = 5000;

queue::TaskMessage Again(std::string_view task_name, const std::string& id,
                         const std::string& origin) {
  queue::TaskMessage m = NewTaskMessage(task_name, origin);
  m.id = id;
  m.root_id = id;
  return m;
}

Status RecoverTrainings(store::Store& store, queue::Broker& broker, const std::string& origin,
                        const queue::PublishedTaskNames& names, RecoveryReport& report) {
  auto models = store.ListModels();
  if (!models.ok()) return models.error();
  for (const store::ModelRow& m : *models) {
    const auto state = m.state();
    if (state == store::ModelState::kPending) {
      MLPROD_RETURN_IF_ERROR(broker.Publish(Again(names.training, m.task_id, origin)));
      ++report.trainings_requeued;
    } else if (state == store::ModelState::kTraining) {
      MLPROD_RETURN_IF_ERROR(store.TransitionModel(
          {.model_id = m.task_id,
           .from = store::ModelState::kTraining,
           .to = store::ModelState::kFailed,
           .reason = "interrupted: the process stopped while this model was training; "
                     "POST /train/start runs a new training"}));
      ++report.trainings_failed;
    }
  }
  return OkStatus();
}

}  // namespace

Status RequeueUnfinishedInferences(store::InferenceStore& store, queue::Broker& broker,
                                   const std::string& origin, const RequeueScope& scope,
                                   const queue::PublishedTaskNames& names, RecoveryReport& report) {
  std::string after;
  long long left = scope.max_rows < 0 ? std::numeric_limits<long long>::max() : scope.max_rows;
  std::vector<std::string> queued;
  while (left > 0) {
    const int limit = static_cast<int>(std::min<long long>(kBatch, left));
    auto batch = store.ListUnfinishedInferences(after, limit, scope.older_than);
    if (!batch.ok()) return batch.error();
    queued.clear();
    for (const store::UnfinishedInference& u : *batch) {
      if (!u.user_id) {
        MLPROD_RETURN_IF_ERROR(store.UpdateInferenceStatus(u.task_id, TaskState::kFailure));
        ++report.inferences_failed;
        continue;
      }
      if (scope.backend != nullptr) {
        // Unknown (or unreachable) reads as unfinished: publishing again is the safe side.
        auto done = scope.backend->Get(u.task_id);
        if (done.ok() && queue::IsReady(done->state)) {
          MLPROD_RETURN_IF_ERROR(store.UpdateInferenceStatus(u.task_id, done->state));
          ++report.inferences_recorded;
          continue;
        }
      }
      queue::TaskMessage task = Again(names.inference, u.task_id, origin);
      task.args = nlohmann::json::array({*u.user_id});
      MLPROD_RETURN_IF_ERROR(broker.Publish(task));
      ++report.inferences_requeued;
      queued.push_back(u.task_id);
    }
    if (scope.touch_at) {
      MLPROD_RETURN_IF_ERROR(store.TouchUnfinishedInferences(queued, *scope.touch_at));
    }
    left -= static_cast<long long>(batch->size());
    if (batch->size() < static_cast<size_t>(limit)) break;
    after = batch->back().task_id;
  }
  return OkStatus();
}

Result<RecoveryReport> RecoverUnfinishedTasks(store::Store& store, queue::Broker& broker,
                                              const std::string& origin,
                                              const queue::PublishedTaskNames& names) {
  RecoveryReport report;
  MLPROD_RETURN_IF_ERROR(RequeueUnfinishedInferences(store, broker, origin, {}, names, report));
  MLPROD_RETURN_IF_ERROR(RecoverTrainings(store, broker, origin, names, report));
  if (report.inferences_requeued + report.inferences_failed + report.trainings_requeued +
          report.trainings_failed >
      0) {
    spdlog::info(
        "recovery: {} unfinished inferences queued again ({} without a user failed), {} "
        "pending trainings queued again, {} interrupted trainings marked failed",
        report.inferences_requeued, report.inferences_failed, report.trainings_requeued,
        report.trainings_failed);
  }
  return report;
}

}  // namespace mlprod::tasks
