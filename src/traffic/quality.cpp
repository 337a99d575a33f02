#include "traffic/quality.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>

namespace mlprod::traffic {
namespace {

double Discount(std::size_t rank) { return 1.0 / std::log2(static_cast<double>(rank) + 2.0); }

double Round(double v, double scale = 1e4) { return std::round(v * scale) / scale; }

}  // namespace

ListJudgement JudgeList(std::span<const double> all, std::span<const double> shown) {
  ListJudgement j;
  std::array<double, kQualityDepth> top{};
  std::partial_sort_copy(all.begin(), all.end(), top.begin(), top.end(), std::greater<>());
  const std::size_t n_top = std::min(all.size(), kQualityDepth);
  const double best = n_top > 0 ? top[0] : 0.0;
  if (!(best > 0)) return j;
  j.acceptable = true;

  double ideal = 0;
  for (std::size_t i = 0; i < n_top; ++i) ideal += std::max(0.0, top[i]) * Discount(i);
  double dcg = 0;
  double best_shown = 0;
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const double gain = std::max(0.0, shown[i]);
    if (i < kQualityDepth) dcg += gain * Discount(i);
    best_shown = std::max(best_shown, gain);
  }
  j.ndcg = dcg / ideal;
  // Utilities of the same location are computed by the same code, so equality is exact; the
  // slack only guards against a shown row whose fields were rounded in transit.
  j.best_shown = best_shown >= best - 1e-9 * std::max(1.0, best);
  j.regret = std::max(0.0, best - best_shown);
  return j;
}

void QualityStats::Add(const ListJudgement& j) {
  ++loops;
  if (!j.acceptable) {
    ++no_acceptable;
    return;
  }
  ndcg_sum += j.ndcg;
  ndcg_sq_sum += j.ndcg * j.ndcg;
  regret_sum += j.regret;
  if (j.best_shown) ++best_shown;
}

void QualityStats::Merge(const QualityStats& o) {
  loops += o.loops;
  picks += o.picks;
  no_picks += o.no_picks;
  no_acceptable += o.no_acceptable;
  best_shown += o.best_shown;
  ndcg_sum += o.ndcg_sum;
  ndcg_sq_sum += o.ndcg_sq_sum;
  regret_sum += o.regret_sum;
}

Interval MeanInterval(double sum, double sq_sum, std::uint64_t n) {
  if (n == 0) return {};
  const double nd = static_cast<double>(n);
  const double mean = sum / nd;
  if (n < 2) return {mean, mean, mean};
  const double var = std::max(0.0, (sq_sum - nd * mean * mean) / (nd - 1));
  const double half = 1.96 * std::sqrt(var / nd);
  return {mean, mean - half, mean + half};
}

Interval ShareInterval(std::uint64_t k, std::uint64_t n) {
  if (n == 0) return {};
  const double p = static_cast<double>(k) / static_cast<double>(n);
  const double half = 1.96 * std::sqrt(p * (1 - p) / static_cast<double>(n));
  return {p, std::max(0.0, p - half), std::min(1.0, p + half)};
}

nlohmann::json QualityJson(const QualityStats& q) {
  using nlohmann::json;
  const std::uint64_t judged = q.loops - q.no_acceptable;
  const std::uint64_t selects = q.picks + q.no_picks;
  const Interval pick = ShareInterval(q.picks, selects);
  const Interval ndcg = MeanInterval(q.ndcg_sum, q.ndcg_sq_sum, judged);
  json out = {{"loops", q.loops},
              {"picks", q.picks},
              {"no_picks", q.no_picks},
              {"no_acceptable", q.no_acceptable}};
  out["pick_rate"] = selects > 0 ? json(Round(pick.mean)) : json(nullptr);
  out["pick_rate_ci95"] =
      selects > 0 ? json::array({Round(pick.lo), Round(pick.hi)}) : json(nullptr);
  if (judged > 0) {
    const double jd = static_cast<double>(judged);
    out["ndcg_at_10"] = {{"mean", Round(ndcg.mean)},
                         {"ci95", json::array({Round(ndcg.lo), Round(ndcg.hi)})}};
    out["best_shown"] = Round(static_cast<double>(q.best_shown) / jd);
    out["regret"] = Round(q.regret_sum / jd);
  } else {
    out["ndcg_at_10"] = nullptr;
    out["best_shown"] = nullptr;
    out["regret"] = nullptr;
  }
  return out;
}

std::string QualityLine(const QualityStats& q) {
  const std::uint64_t judged = q.loops - q.no_acceptable;
  const std::uint64_t selects = q.picks + q.no_picks;
  const Interval pick = ShareInterval(q.picks, selects);
  const Interval ndcg = MeanInterval(q.ndcg_sum, q.ndcg_sq_sum, judged);
  const double jd = judged > 0 ? static_cast<double>(judged) : 1.0;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "loops %llu, pick rate %.3f [%.3f, %.3f], NDCG@10 %.3f [%.3f, %.3f], best shown "
                "%.3f, regret %.3f, no acceptable %llu",
                static_cast<unsigned long long>(q.loops), pick.mean, pick.lo, pick.hi, ndcg.mean,
                ndcg.lo, ndcg.hi, static_cast<double>(q.best_shown) / jd, q.regret_sum / jd,
                static_cast<unsigned long long>(q.no_acceptable));
  return buf;
}

QualityStats Overall(const std::map<std::string, QualityStats>& by_model) {
  QualityStats all;
  for (const auto& [model, q] : by_model) all.Merge(q);
  return all;
}

}  // namespace mlprod::traffic
