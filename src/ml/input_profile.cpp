#include "ml/input_profile.h"

#include <algorithm>
#include <cmath>

namespace mlprod::ml {

InputProfile ComputeInputProfile(const FeatureMatrix& x, int bins) {
  InputProfile profile;
  profile.rows = x.rows();
  const auto n = static_cast<std::size_t>(x.rows());
  std::vector<double> values(n);
  for (int f = 0; f < kNumUserFeatures; ++f) {
    double sum = 0;
    for (std::size_t r = 0; r < n; ++r) {
      values[r] = x(static_cast<Eigen::Index>(r), f);
      sum += values[r];
    }
    std::sort(values.begin(), values.end());
    FeatureReference& ref = profile.features[f];
    ref.mean = n == 0 ? 0.0 : sum / static_cast<double>(n);
    if (n == 0) {
      ref.proportions = {1.0};
      continue;
    }
    for (int q = 1; q < bins; ++q) {
      // Lower empirical quantile: the value at 1-based rank ceil(q·n/bins), in exact integers.
      const std::size_t rank = (static_cast<std::size_t>(q) * n + bins - 1) / bins;
      const double edge = values[std::max<std::size_t>(rank, 1) - 1];
      if (ref.edges.empty() || edge > ref.edges.back()) ref.edges.push_back(edge);
    }
    // The top bin must hold training rows: an edge at the maximum would leave it empty.
    while (!ref.edges.empty() && ref.edges.back() >= values.back()) ref.edges.pop_back();
    if (ref.edges.empty()) {
      // Fewer than 1/bins of the rows differ from the maximum (a rare boolean value): keep one
      // edge just below it. A constant feature keeps its value as the edge.
      const auto below = std::lower_bound(values.begin(), values.end(), values.back());
      ref.edges.push_back(below == values.begin() ? values.back() : *(below - 1));
    }
    std::vector<std::int64_t> counts(ref.edges.size() + 1, 0);
    for (double v : values) ++counts[BinIndex(ref.edges, v)];
    for (auto c : counts) ref.proportions.push_back(static_cast<double>(c) / n);
  }
  return profile;
}

int BinIndex(std::span<const double> edges, double x) {
  if (std::isnan(x)) return static_cast<int>(edges.size());
  return static_cast<int>(std::lower_bound(edges.begin(), edges.end(), x) - edges.begin());
}

Status ValidateInputProfile(const InputProfile& profile) {
  for (int f = 0; f < kNumUserFeatures; ++f) {
    const FeatureReference& ref = profile.features[f];
    auto bad = [f](const std::string& what) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "input_profile of feature '" + std::string(FeatureNames()[f]) + "': " + what);
    };
    for (std::size_t i = 0; i < ref.edges.size(); ++i) {
      if (!std::isfinite(ref.edges[i]) || (i > 0 && ref.edges[i] <= ref.edges[i - 1])) {
        return bad("edges must be finite and strictly ascending");
      }
    }
    if (ref.proportions.size() != ref.edges.size() + 1) {
      return bad("needs one proportion more than edges");
    }
    double sum = 0;
    for (double p : ref.proportions) {
      if (!(p >= 0.0 && p <= 1.0)) return bad("proportions must be in [0, 1]");
      sum += p;
    }
    if (std::abs(sum - 1.0) > 1e-6) return bad("proportions must sum to 1");
    if (!std::isfinite(ref.mean)) return bad("mean must be finite");
  }
  if (profile.rows < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "input_profile rows must not be negative");
  }
  return OkStatus();
}

}  // namespace mlprod::ml
