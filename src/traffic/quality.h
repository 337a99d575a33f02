// Live recommendation quality against the simulated person's ground truth: NDCG@10 of the shown
// list, whether the best acceptable location was shown, regret, pick rate, grouped by model.
// Not the person's scoring (data/labeller.h). Pure values; a QualityStats belongs to one user.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

namespace mlprod::traffic {

inline constexpr std::size_t kQualityDepth = 10;  // NDCG@10

// One loop's list judged against the utilities of every location (0 = unacceptable).
struct ListJudgement {
  bool acceptable = false;  // some location has utility > 0; the rest is only set then
  double ndcg = 0;          // gain = utility, discount 1/log2(rank+2), ideal = 10 best overall
  bool best_shown = false;  // the best utility overall appears in the shown list
  double regret = 0;        // best utility overall − best utility shown (>= 0)
};

// shown: utilities of the shown list in shown order (only the first 10 count for NDCG, every
// row for best_shown/regret). Negative utilities count as 0.
ListJudgement JudgeList(std::span<const double> all_utilities, std::span<const double> shown);

// Sums of one group of loops; means and intervals are derived in QualityJson.
struct QualityStats {
  std::uint64_t loops = 0;          // loops that got a result list
  std::uint64_t picks = 0;          // of those, selects naming a location
  std::uint64_t no_picks = 0;       // selects with location_id -1
  std::uint64_t no_acceptable = 0;  // loops without any acceptable location
  std::uint64_t best_shown = 0;
  double ndcg_sum = 0, ndcg_sq_sum = 0, regret_sum = 0;

  void Add(const ListJudgement& j);
  void Merge(const QualityStats& other);
};

// mean ± 1.96·s/√n (s the sample standard deviation); [mean, mean] when n < 2.
struct Interval {
  double mean = 0, lo = 0, hi = 0;
};
Interval MeanInterval(double sum, double sq_sum, std::uint64_t n);
// Share k/n ± 1.96·√(p(1−p)/n), clipped to [0, 1]; all 0 when n = 0.
Interval ShareInterval(std::uint64_t k, std::uint64_t n);

// {"loops","pick_rate","pick_rate_ci95":[lo,hi],"ndcg_at_10":{"mean","ci95":[lo,hi]},
//  "best_shown","regret","no_acceptable","picks","no_picks"}. pick_rate = picks/(picks+no_picks);
// ndcg, best_shown and regret are over the loops with an acceptable location; null without any.
nlohmann::json QualityJson(const QualityStats& q);
// One line: "loops 120, pick rate 0.61 [0.52, 0.70], NDCG@10 0.712 [0.69, 0.73], ...".
std::string QualityLine(const QualityStats& q);

// All groups pooled.
QualityStats Overall(const std::map<std::string, QualityStats>& by_model);

}  // namespace mlprod::traffic
