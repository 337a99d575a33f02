// The offline gate a retrained model must pass before it may serve: candidate and serving model
// scored on the same rows of the reference holdout — generator-labelled lists of random
// locations, so unbiased for the population the generator describes, unlike shown results, which
// are the serving model's own top 10. Also the reference data set those rows come from. Pure
// functions over models and data sets; thread-safe.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
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

// Passes when the candidate's ROC AUC on the holdout exceeds the current model's by more than
// `margin` (and both are finite). Both models' five metrics on those rows go into the evidence.
GateDecision OfflineGate(const ml::Model& current, const std::string& current_id,
                         const ml::Model& candidate, const ml::Dataset& holdout,
                         double margin = 0.0);

}  // namespace mlprod::tasks
