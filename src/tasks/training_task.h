// The training task (`mlprod.worker.tasks.train.training()`): the newest shown results plus the
// generator-labelled training split train a candidate; the offline gate compares it with the
// serving model on the generator-labelled holdout; one that passes becomes a canary (or, with
// the canary off, is promoted), one that fails is rejected (docs/ml.md "The learning loop").
// Inference keeps running meanwhile. Thread-safe; concurrent runs are serialised.
#pragma once

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "ml/train.h"
#include "queue/task.h"
#include "store/store.h"
#include "tasks/model_pool.h"
#include "tasks/promotion_policy.h"

namespace mlprod::tasks {

struct TrainingOptions {
  std::filesystem::path models_dir;  // new model folders go to models_dir/<task id>
  int newest_results = 9000;         // shown results used. Default: 9000
  int train_rows = 8000;             // the first rows train, the rest test. Default: 8000
  int min_rows = 100;                // fewer shown results is a clear failure. Default: 100
  ml::TrainOptions train;            // epochs, seed, learning rate, dropout
  // The generator-labelled data set the baseline was trained on (`dataset_labelled.tsv`): its
  // training split is mixed into every retraining, its holdout is the offline gate's rows.
  // Required: a training run without it fails with that reason.
  std::filesystem::path reference_data;
  double reference_test_fraction = 0.2;  // the baseline's split (bootstrap.cpp). Default: 0.2
  PromotionOptions promotion;            // canary share; the test-only gate switch
  // Test-only (the bad-candidate scenario): the training labels are shuffled before training.
  // Default: false
  bool test_shuffle_labels = false;
};

class TrainingTask {
 public:
  TrainingTask(store::Store& store, ModelPool& models, TrainingOptions options);

  // Returns {"model_id", "state", "reason", "train_rows", "gate": {offline gate evidence},
  // "shown": {the shown-rows comparison}, "seconds"}.
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
