// The promotion decision for a freshly trained candidate: the one seam between training and the
// model lifecycle (an offline gate and a canary will replace it). Today's rule: promote when the
// new model's test ROC AUC beats the old model's on the same test rows. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ml/metrics.h"
#include "store/model_state.h"

namespace mlprod::tasks {

// Old and new model evaluated on exactly the same test rows.
struct OfflineComparison {
  std::string old_model_id;
  std::string new_model_id;
  ml::Metrics old_test;
  ml::Metrics new_test;
  std::int64_t train_rows = 0;
  std::int64_t test_rows = 0;
};

struct PromotionDecision {
  store::ModelState to = store::ModelState::kRejected;  // kPromoted or kRejected
  std::string reason;
};

PromotionDecision DecidePromotion(const OfflineComparison& c);

// `{"rule", "train_rows", "test_rows", "new": {model_id, metrics}, "old": {model_id, metrics}}`,
// non-finite metrics as null: the evidence of training→candidate and of the decision.
nlohmann::json OfflineEvidence(const OfflineComparison& c);

}  // namespace mlprod::tasks
