#include "app/task_set.h"

#include <string>

namespace mlprod::app {
namespace {

tasks::ModelPool::RefreshObserver PoolObserver(metrics::WorkerMetrics* metrics) {
  if (metrics == nullptr) return {};
  return [metrics](const std::vector<tasks::ServingModel>& models, int loaded) {
    std::vector<metrics::ActiveModelInfo> info;
    for (const auto& m : models) {
      info.push_back({m.model_id, m.use_percentage, m.scorer->model()->metadata().test.auc});
    }
    for (int i = 0; i < loaded; ++i) metrics->ModelLoaded();
    metrics->SetActiveModels(info);
  };
}

}  // namespace

TaskSet::TaskSet(store::Store& store, tasks::TrainingOptions training,
                 metrics::WorkerMetrics* metrics, drift::DriftMonitor* drift)
    : metrics_(metrics),
      models_(store, PoolObserver(metrics), training.models_dir.parent_path(), *training.clock),
      inference_(store, models_, drift, training.explore),
      training_(store, models_, std::move(training)) {
  registry_.Register(std::string(queue::kInferenceTask),
                     [this](const queue::TaskMessage& m) { return inference_.Run(m); });
  registry_.Register(std::string(queue::kTrainingTask),
                     [this](const queue::TaskMessage& m) { return training_.Run(m); });
}

}  // namespace mlprod::app

namespace mlprod::app {

worker::WorkerObserver TaskSet::observer() const {
  worker::WorkerObserver observer;
  if (metrics_ == nullptr) return observer;
  auto* m = metrics_;
  observer.on_task_started = [m](std::string_view) { m->TaskStarted(); };
  observer.on_task_ended = [m](std::string_view) { m->TaskEnded(); };
  observer.on_task_done = [m](const worker::TaskOutcome& o) {
    m->TaskFinished(o.task, queue::TaskStateName(o.state), o.run_seconds, o.queue_wait_seconds);
  };
  observer.on_rejected = [m](std::string_view, std::string_view) {
    m->MessageRejected("unknown_task");
  };
  return observer;
}

}  // namespace mlprod::app
