// Training entry point shared by `mlprod train` and the server's training task: fit the scaler
// and chi2 selection on the training split, then train the MLP with Adam on balanced batches
// (4 negatives + 4 positives drawn with replacement) for `epochs` passes of n/8 batches.
// Deterministic for a seed. Not evaluation or file I/O. Reentrant: concurrent calls share nothing.
#pragma once

#include <cstdint>
#include <functional>

#include "common/result.h"
#include "ml/dataset.h"
#include "ml/model.h"

namespace mlprod::ml {

struct TrainOptions {
  int epochs = 100;             // Default: 100
  std::uint64_t seed = 42;      // Default: 42
  double learning_rate = 1e-3;  // Default: 1e-3 (Adam, betas 0.9/0.999, eps 1e-8)
  double dropout = 0.3;         // Default: 0.3, in [0, 1)
};

struct EpochProgress {
  int epoch = 0;  // 1-based
  int epochs = 0;
  double mean_loss = 0;  // mean batch BCE of this epoch
  double elapsed_seconds = 0;
};

// Called after every epoch; return false to stop training (Train then fails with kUnavailable).
using ProgressCallback = std::function<bool(const EpochProgress&)>;

// Needs at least one positive and one negative example and 8 rows (kInvalidArgument otherwise).
// The returned model's metadata has the options and the training record counts; metrics are
// left for the caller (see TrainAndEvaluate).
Result<Model> Train(const Dataset& train, const TrainOptions& options,
                    const ProgressCallback& progress = {});

// Train on `train`, then fill the model's train and test metrics and record counts. `test` may
// be empty (test metrics are then NaN).
Result<Model> TrainAndEvaluate(const Dataset& train, const Dataset& test,
                               const TrainOptions& options, const ProgressCallback& progress = {});

}  // namespace mlprod::ml
