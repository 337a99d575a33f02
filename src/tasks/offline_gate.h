// The offline gate a retrained model must pass before it may serve: candidate and serving model
// scored on the same holdout rows — lists of random locations (explored lists of live traffic,
// or the generator-labelled reference set), so unbiased for the population that labelled them,
// unlike shown results, which are the serving model's own top 10 — and the candidate must be
// better beyond chance (a paired bootstrap over whole lists). Also the reference data set. Pure
// functions over models and data sets; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "common/result.h"
#include "ml/dataset.h"
#include "ml/model.h"

namespace mlprod::tasks {

// The generator-labelled data set split as the baseline was trained on it (SplitHeadTail with
// the same test fraction): `train` may be mixed into retraining, `holdout` never trains anything.
struct ReferenceData {
  ml::Dataset train;
  ml::Dataset holdout;
};

// Reads `dataset_labelled.tsv`. test_fraction must be the baseline's (0.2, bootstrap.cpp).
// kNotFound when the file is missing; the holdout must hold both classes (kInvalidArgument).
Result<ReferenceData> LoadReferenceData(const std::filesystem::path& labelled_tsv,
                                        double test_fraction);

struct GateDecision {
  bool pass = false;
  std::string reason;  // one sentence with the numbers, for the model registry and the log
  nlohmann::json
      evidence;  // {"rule","holdout_rows","holdout_picks","current":{...},"candidate":{...}}
};

struct GateOptions {
  // The candidate's ROC AUC must exceed the current model's by more than this. Default: 0
  double margin = 0.0;
  // Paired bootstrap of the AUC difference: whole lists (groups) are resampled with replacement,
  // both models scored on each resample; the gate passes when the difference's one-sided lower
  // confidence bound exceeds the margin. 0 resamples compares the point estimates only.
  int resamples = 1000;      // Default: 1000
  double confidence = 0.95;  // of the lower bound, in (0, 1). Default: 0.95
  std::uint64_t seed = 1;    // of the resampling (a fixed seed gives a fixed decision). Default: 1
  std::string holdout_name = "reference";  // for the reason and the evidence
};

// Compares both models on the holdout. `groups` (one id per row, rows of a list adjacent; empty:
// every row is its own group) are the units the bootstrap resamples: the rows of one list share
// a user and a pick, so they are not independent. Both models' five metrics on those rows, the
// AUC difference and its lower bound go into the evidence.
GateDecision OfflineGate(const ml::Model& current, const std::string& current_id,
                         const ml::Model& candidate, const ml::Dataset& holdout,
                         std::span<const std::int64_t> groups, const GateOptions& options);

// Lower one-sided confidence bound of AUC(candidate) − AUC(current) from a paired bootstrap
// over groups (see GateOptions); NaN when a resample or the data hold one class only.
double AucDifferenceLowerBound(std::span<const float> current_scores,
                               std::span<const float> candidate_scores,
                               std::span<const std::int8_t> labels,
                               std::span<const std::int64_t> groups, const GateOptions& options);

}  // namespace mlprod::tasks
