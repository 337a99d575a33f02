#include "tasks/promotion_policy.h"

#include <cmath>
#include <cstdio>

namespace mlprod::tasks {
namespace {

constexpr const char* kRule =
    "test_auc_higher: promote when the new model's test ROC AUC is "
    "higher than the old model's on the same test rows";

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json MetricsJson(const std::string& model_id, const ml::Metrics& m) {
  return {{"model_id", model_id}, {"acc", Num(m.acc)}, {"pre", Num(m.pre)},
          {"rec", Num(m.rec)},    {"f1", Num(m.f1)},   {"auc", Num(m.auc)}};
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

PromotionDecision DecidePromotion(const OfflineComparison& c) {
  const double now = c.new_test.auc, before = c.old_test.auc;
  if (!std::isfinite(now)) {
    return {store::ModelState::kRejected, "new model's test ROC AUC is undefined"};
  }
  if (!std::isfinite(before)) {
    return {store::ModelState::kPromoted, "test ROC AUC " + Fixed(now) + "; old model " +
                                              c.old_model_id + " has none on these rows"};
  }
  const std::string cmp = "test ROC AUC " + Fixed(now) + " vs " + Fixed(before) + " of " +
                          c.old_model_id + " on the same " + std::to_string(c.test_rows) +
                          " test rows";
  if (now > before) return {store::ModelState::kPromoted, cmp + ": higher"};
  return {store::ModelState::kRejected, cmp + ": not higher"};
}

nlohmann::json OfflineEvidence(const OfflineComparison& c) {
  return {{"rule", kRule},
          {"train_rows", c.train_rows},
          {"test_rows", c.test_rows},
          {"new", MetricsJson(c.new_model_id, c.new_test)},
          {"old", MetricsJson(c.old_model_id, c.old_test)}};
}

}  // namespace mlprod::tasks
