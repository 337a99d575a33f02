// The tasks a worker runs, wired over a store: the model pool, the inference and training tasks
// and the registry mapping their Celery names (and legacy names) to them. Part of the
// composition root. Construct once; the registry is then read-only and thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>

#include "drift/drift_monitor.h"
#include "metrics/worker_metrics.h"
#include "store/store.h"
#include "tasks/inference_task.h"
#include "tasks/model_pool.h"
#include "tasks/training_task.h"
#include "worker/task_registry.h"
#include "worker/worker.h"

namespace mlprod::app {

class TaskSet {
 public:
  // training: the training task's options (app/process_flags.h MakeTrainingOptions).
  // metrics (nullable) receives task outcomes and model pool changes; drift (nullable) every
  // scored request. Both must outlive the task set.
  TaskSet(store::Store& store, tasks::TrainingOptions training, metrics::WorkerMetrics* metrics,
          drift::DriftMonitor* drift = nullptr);
  TaskSet(const TaskSet&) = delete;
  TaskSet& operator=(const TaskSet&) = delete;

  tasks::ModelPool& models() { return models_; }
  const worker::TaskRegistry& registry() const { return registry_; }
  // Observer callbacks that feed the worker metrics (empty when there are none).
  worker::WorkerObserver observer() const;

 private:
  metrics::WorkerMetrics* metrics_;
  tasks::ModelPool models_;
  tasks::InferenceTask inference_;
  tasks::TrainingTask training_;
  worker::TaskRegistry registry_;
};

}  // namespace mlprod::app
