// The rows a retraining learns from and the rows its offline gate compares on. With enough
// explored lists (exploration.h): their older lists plus the generator's training split train,
// their newest lists are the gate's holdout — labels of today's population, unbiased by any
// model's order. Otherwise (exploration off or young): the newest shown results plus the
// generator's training split train, and the generator-labelled holdout gates. docs/ml.md "The
// learning loop" has the measurements behind this choice. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "ml/dataset.h"
#include "store/store.h"
#include "tasks/offline_gate.h"

namespace mlprod::tasks {

struct TrainingDataOptions {
  int newest_explored = 20000;    // explored rows read, newest first. Default: 20000
  int min_explored_lists = 100;   // fewer: the shown-results fallback. Default: 100
  double explored_holdout = 0.2;  // share of the explored lists (the newest) held out. Default: 0.2
  int newest_results = 9000;      // shown results read by the fallback. Default: 9000
  int train_rows = 8000;          // of those, the first train, the rest test. Default: 8000
  int min_rows = 100;             // fewer shown results fail the fallback. Default: 100
};

struct TrainingData {
  ml::Dataset train;
  ml::Dataset holdout;                    // the offline gate's rows
  std::vector<std::int64_t> groups;       // per holdout row: its list (the bootstrap's unit)
  std::string holdout_name;               // "explored" or "reference"
  std::vector<std::int64_t> result_ids;   // the live rows that train (the datasets table)
  std::optional<ml::Dataset> shown_test;  // fallback only: shown rows for the reference's check
  std::int64_t live_train_rows = 0;
  // {"source", "explored_lists", "live_train_rows", "reference_train_rows", "holdout",
  //  "holdout_lists"}
  nlohmann::json evidence;
};

// explored: NewestExploredResults (newest first); shown: NewestShownResults, read only when the
// explored lists are too few (pass a callback so the fallback's read is skipped otherwise).
Result<TrainingData> BuildTrainingData(
    std::vector<store::LabelledResult> explored,
    const std::function<Result<std::vector<store::LabelledResult>>()>& shown,
    const ReferenceData& reference, const TrainingDataOptions& options);

// How many of n shown rows train: options.train_rows of options.newest_results when there are
// that many, else the same proportion (8/9 by default), leaving at least one test row.
std::int64_t TrainRowCount(std::int64_t n, const TrainingDataOptions& options);

// Row-wise concatenation.
ml::Dataset Concat(const ml::Dataset& a, const ml::Dataset& b);

}  // namespace mlprod::tasks
