// The training task (`mlprod.worker.tasks.train.training()`): explored lists (or, while there are
// too few, the newest shown results) plus the generator-labelled training split train a
// candidate; the offline gate compares it with the serving model on the newest explored lists (or
// the generator-labelled holdout); one that passes becomes a canary (or, with the canary off, is
// promoted), one that fails is rejected (docs/ml.md "The learning loop"). Inference keeps
// running meanwhile. Thread-safe; concurrent runs are serialised.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "ml/train.h"
#include "queue/task.h"
#include "store/store.h"
#include "tasks/exploration.h"
#include "tasks/model_pool.h"
#include "tasks/promotion_policy.h"
#include "tasks/training_data.h"

namespace mlprod::tasks {

struct TrainingOptions {
  std::filesystem::path models_dir;  // new model folders go to models_dir/<task id>
  TrainingDataOptions data;          // which live rows train and gate (training_data.h)
  ml::TrainOptions train;            // epochs, seed, learning rate, dropout
  // The generator-labelled data set the baseline was trained on (`dataset_labelled.tsv`): its
  // training split is mixed into every retraining, its holdout gates when there are too few
  // explored lists. Required: a training run without it fails with that reason.
  std::filesystem::path reference_data;
  double reference_test_fraction = 0.2;  // the baseline's split (bootstrap.cpp). Default: 0.2
  GateOptions gate;                      // the offline gate's bootstrap
  PromotionOptions promotion;            // canary share; the test-only gate switch
  ExploreOptions explore;                // the inference tasks' exploration share
  // Test-only (the bad-candidate scenario): the training labels are shuffled before training.
  // Default: false
  bool test_shuffle_labels = false;
  // Times the run's phases; app/ passes its clock.
  const Clock* clock = &SystemClock();
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
  Mutex run_mu_;  // one Run at a time
};

}  // namespace mlprod::tasks
