// What happens to a freshly trained candidate: the one seam between training and the model
// lifecycle. The offline gate (offline_gate.h) decides whether it may serve at all; one that
// passes becomes a canary on a share of traffic, whose live evidence then decides
// (canary_judge.h), or — with the canary switched off — is promoted on the gate alone. The
// reference's comparison on shown rows is kept as information only (docs/ml.md says why). Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ml/metrics.h"
#include "store/model_state.h"
#include "tasks/offline_gate.h"

namespace mlprod::tasks {

// Old and new model on exactly the same shown test rows (the reference's comparison).
struct OfflineComparison {
  std::string old_model_id;
  std::string new_model_id;
  ml::Metrics old_test;
  ml::Metrics new_test;
  std::int64_t train_rows = 0;
  std::int64_t test_rows = 0;
};

struct PromotionOptions {
  // Share of inferences that show the candidate interleaved with the current model; 0 promotes
  // on the offline gate alone. Default: 0.1
  double canary_share = 0.1;
  // Test-only (the bad-candidate scenario): the gate's verdict is recorded but ignored, so a
  // candidate trained on shuffled labels reaches the canary. Default: false
  bool ignore_gate = false;
};

struct PromotionDecision {
  store::ModelState to = store::ModelState::kRejected;  // kCanary, kPromoted or kRejected
  double use_percentage = 0;                            // the share that goes with `to`
  std::string reason;
};

PromotionDecision DecidePromotion(const GateDecision& gate, const PromotionOptions& options);

// `{"rule", "train_rows", "test_rows", "new": {model_id, metrics}, "old": {model_id, metrics}}`,
// non-finite metrics as null: the shown-rows comparison, for information.
nlohmann::json OfflineEvidence(const OfflineComparison& c);

}  // namespace mlprod::tasks
