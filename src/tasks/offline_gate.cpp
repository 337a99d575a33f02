#include "tasks/offline_gate.h"

#include <spdlog/fmt/fmt.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <vector>

#include "ml/metrics.h"

namespace mlprod::tasks {
namespace {

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json MetricsJson(const ml::Metrics& m) {
  return {{"acc", Num(m.acc)},
          {"pre", Num(m.pre)},
          {"rec", Num(m.rec)},
          {"f1", Num(m.f1)},
          {"auc", Num(m.auc)}};
}

}  // namespace

Result<ReferenceData> LoadReferenceData(const std::filesystem::path& labelled_tsv,
                                        double test_fraction) {
  std::error_code ec;
  if (!std::filesystem::exists(labelled_tsv, ec)) {
    return MakeError(ErrorCode::kNotFound,
                     "reference data set " + labelled_tsv.string() +
                         " not found: the offline gate needs the generator-labelled holdout "
                         "that the first start writes into --data-dir");
  }
  auto data = ml::ReadLabelledTsv(labelled_tsv);
  if (!data.ok()) return data.error();
  auto split = ml::SplitHeadTail(*data, test_fraction);
  const auto pos = split.test.positives();
  if (pos == 0 || pos == split.test.rows()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     labelled_tsv.string() + ": the holdout (" + std::to_string(split.test.rows()) +
                         " rows) needs picks and non-picks, has " + std::to_string(pos) + " picks");
  }
  return ReferenceData{std::move(split.train), std::move(split.test)};
}

namespace {

// ROC AUC of rows weighted by integer counts, from an order sorting the scores ascending; tied
// scores count half (the Mann-Whitney statistic). NaN when a class has zero weight.
double WeightedAuc(std::span<const float> scores, std::span<const std::int8_t> labels,
                   std::span<const int> order, std::span<const double> weight) {
  double neg_below = 0, pos_total = 0, neg_total = 0, u = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    double tie_pos = 0, tie_neg = 0;
    for (; j < order.size() && scores[order[j]] == scores[order[i]]; ++j) {
      const int r = order[j];
      (labels[r] ? tie_pos : tie_neg) += weight[r];
    }
    u += tie_pos * (neg_below + 0.5 * tie_neg);
    neg_below += tie_neg;
    pos_total += tie_pos;
    neg_total += tie_neg;
    i = j;
  }
  if (pos_total == 0 || neg_total == 0) return std::nan("");
  return u / (pos_total * neg_total);
}

std::vector<int> AscendingOrder(std::span<const float> scores) {
  std::vector<int> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] < scores[b]; });
  return order;
}

}  // namespace

double AucDifferenceLowerBound(std::span<const float> current_scores,
                               std::span<const float> candidate_scores,
                               std::span<const std::int8_t> labels,
                               std::span<const std::int64_t> groups, const GateOptions& options) {
  const std::size_t n = labels.size();
  // Group g covers rows [begin[g], begin[g + 1]).
  std::vector<std::size_t> begin;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || groups.empty() || groups[i] != groups[i - 1]) begin.push_back(i);
  }
  begin.push_back(n);
  const std::size_t n_groups = begin.size() - 1;
  if (n_groups == 0 || options.resamples <= 0) return std::nan("");
  const auto cur_order = AscendingOrder(current_scores);
  const auto cand_order = AscendingOrder(candidate_scores);
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<std::size_t> pick(0, n_groups - 1);
  std::vector<double> weight(n), diffs;
  diffs.reserve(options.resamples);
  for (int b = 0; b < options.resamples; ++b) {
    std::fill(weight.begin(), weight.end(), 0.0);
    for (std::size_t k = 0; k < n_groups; ++k) {
      const std::size_t g = pick(rng);
      for (std::size_t r = begin[g]; r < begin[g + 1]; ++r) weight[r] += 1;
    }
    const double d = WeightedAuc(candidate_scores, labels, cand_order, weight) -
                     WeightedAuc(current_scores, labels, cur_order, weight);
    if (!std::isfinite(d)) return std::nan("");
    diffs.push_back(d);
  }
  std::sort(diffs.begin(), diffs.end());
  const auto at = static_cast<std::size_t>(std::floor((1.0 - options.confidence) * diffs.size()));
  return diffs[std::min(at, diffs.size() - 1)];
}

GateDecision OfflineGate(const ml::Model& current, const std::string& current_id,
                         const ml::Model& candidate, const ml::Dataset& holdout,
                         std::span<const std::int64_t> groups, const GateOptions& options) {
  GateDecision d;
  const auto old_scores = current.Predict(holdout.x);
  const auto new_scores = candidate.Predict(holdout.x);
  const ml::Metrics old_m = ml::ComputeMetrics(old_scores, holdout.y);
  const ml::Metrics new_m = ml::ComputeMetrics(new_scores, holdout.y);
  const bool bootstrap = options.resamples > 0;
  const double lower =
      bootstrap ? AucDifferenceLowerBound(old_scores, new_scores, holdout.y, groups, options)
                : new_m.auc - old_m.auc;
  nlohmann::json cur = MetricsJson(old_m);
  cur["model_id"] = current_id;
  d.evidence = {
      {"rule", bootstrap ? fmt::format("lower {:.0f} % bound of the candidate's holdout ROC AUC "
                                       "minus the current model's (paired bootstrap over {} "
                                       "resamples of whole lists) > {}",
                                       100 * options.confidence, options.resamples, options.margin)
                         : fmt::format("candidate holdout ROC AUC > current + {}", options.margin)},
      {"holdout", options.holdout_name},
      {"holdout_rows", holdout.rows()},
      {"holdout_picks", holdout.positives()},
      {"auc_difference", Num(new_m.auc - old_m.auc)},
      {"auc_difference_lower_bound", Num(lower)},
      {"current", std::move(cur)},
      {"candidate", MetricsJson(new_m)}};
  if (!std::isfinite(new_m.auc) || !std::isfinite(old_m.auc) || !std::isfinite(lower)) {
    d.reason = "holdout ROC AUC is undefined (one class in the holdout?)";
    return d;
  }
  d.pass = lower > options.margin;
  d.reason = fmt::format(
      "holdout ROC AUC {:.4f} vs current {} {:.4f} on {} {} rows (difference {:+.4f}, lower "
      "bound {:+.4f}): {}",
      new_m.auc, current_id, old_m.auc, holdout.rows(), options.holdout_name, new_m.auc - old_m.auc,
      lower,
      d.pass ? "passes the offline gate" : "not better beyond chance, the current model stays");
  return d;
}

}  // namespace mlprod::tasks
