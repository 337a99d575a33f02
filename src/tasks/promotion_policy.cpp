#include "tasks/promotion_policy.h"

#include <spdlog/fmt/fmt.h>

#include <cmath>

namespace mlprod::tasks {
namespace {

constexpr const char* kShownRule =
    "information only: both models on the newest shown results' test rows, which the current "
    "model chose itself (the reference promotes on this; it does not predict live quality)";

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json MetricsJson(const std::string& model_id, const ml::Metrics& m) {
  return {{"model_id", model_id}, {"acc", Num(m.acc)}, {"pre", Num(m.pre)},
          {"rec", Num(m.rec)},    {"f1", Num(m.f1)},   {"auc", Num(m.auc)}};
}

}  // namespace

PromotionDecision DecidePromotion(const GateDecision& gate, const PromotionOptions& options) {
  if (!gate.pass && !options.ignore_gate) {
    return {store::ModelState::kRejected, 0, "offline gate: " + gate.reason};
  }
  const std::string why = gate.pass
                              ? "offline gate: " + gate.reason
                              : "offline gate IGNORED by the test switch (" + gate.reason + ")";
  if (options.canary_share <= 0) {
    return {store::ModelState::kPromoted, 1.0, why + "; canary off: promoted"};
  }
  return {store::ModelState::kCanary, options.canary_share,
          why + fmt::format("; canary on {:.0f} % of inferences", 100 * options.canary_share)};
}

nlohmann::json OfflineEvidence(const OfflineComparison& c) {
  return {{"rule", kShownRule},
          {"train_rows", c.train_rows},
          {"test_rows", c.test_rows},
          {"new", MetricsJson(c.new_model_id, c.new_test)},
          {"old", MetricsJson(c.old_model_id, c.old_test)}};
}

}  // namespace mlprod::tasks
