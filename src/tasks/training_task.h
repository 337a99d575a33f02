// The training task (`mlprod.worker.tasks.train.training()`), SPEC §6: the newest shown results
// become a data set (first rows train, rest test), a new model is trained, old and new are
// evaluated on the same test rows, and the new one is promoted only when its test ROC AUC is
// higher. Inference keeps running on the current model meanwhile; promotion swaps the model
// pool atomically. Thread-safe; concurrent runs are serialised.
#pragma once

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "ml/train.h"
#include "queue/task.h"
#include "store/store.h"
#include "tasks/model_pool.h"

namespace mlprod::tasks {

struct TrainingOptions {
  std::filesystem::path models_dir;  // new model folders go to models_dir/<task id>
  int newest_results = 9000;         // shown results used. Default: 9000
  int train_rows = 8000;             // the first rows train, the rest test. Default: 8000
  int min_rows = 100;                // fewer shown results is a clear failure. Default: 100
  ml::TrainOptions train;            // epochs, seed, learning rate, dropout
};

class TrainingTask {
 public:
  TrainingTask(store::Store& store, ModelPool& models, TrainingOptions options);

  // Returns {"model_id", "promoted", "train_rows", "test_rows", "new": {metrics},
  // "old": {"model_id", metrics}} — both metric sets on the same test rows.
  Result<nlohmann::json> Run(const queue::TaskMessage& message);

 private:
  Result<nlohmann::json> Train(const std::string& task_id, const std::filesystem::path& path);

  store::Store& store_;
  ModelPool& models_;
  TrainingOptions options_;
  std::mutex run_mu_;
};

// How many of n rows train: options.train_rows of options.newest_results when there are that
// many, else the same proportion (8/9 by default), leaving at least one test row.
std::int64_t TrainRowCount(std::int64_t n, const TrainingOptions& options);

}  // namespace mlprod::tasks
