#include "ml/preprocess.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <numeric>

namespace mlprod::ml {

MinMaxScaler MinMaxScaler::Fit(const FeatureMatrix& x) {
  if (x.rows() == 0) {
    std::cerr << "fatal: MinMaxScaler::Fit on an empty matrix\n";
    std::abort();
  }
  MinMaxScaler s;
  for (int f = 0; f < kNumFeatures; ++f) {
    s.data_min[f] = x.col(f).minCoeff();
    s.data_max[f] = x.col(f).maxCoeff();
  }
  return s;
}

double MinMaxScaler::Scale(int feature) const {
  double range = data_max[feature] - data_min[feature];
  if (range < 10 * DBL_EPSILON) range = 1.0;
  return 1.0 / range;
}

FeatureMatrix MinMaxScaler::Transform(const FeatureMatrix& x) const {
  FeatureMatrix out(x.rows(), kNumFeatures);
  for (int f = 0; f < kNumFeatures; ++f) {
    const double scale = Scale(f), offset = Offset(f);
    for (Eigen::Index r = 0; r < x.rows(); ++r) out(r, f) = x(r, f) * scale + offset;
  }
  return out;
}

Result<std::array<double, kNumFeatures>> Chi2Scores(const FeatureMatrix& x,
                                                    std::span<const std::int8_t> y) {
  if (static_cast<std::size_t>(x.rows()) != y.size() || y.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "chi2: need one label per row and at least one row (rows " +
                         std::to_string(x.rows()) + ", labels " + std::to_string(y.size()) + ")");
  }
  if ((x.array() < 0).any()) {
    return MakeError(ErrorCode::kInvalidArgument, "chi2: features must be non-negative");
  }
  std::array<double, kNumFeatures> observed1{}, total{};
  std::int64_t n1 = 0;
  for (std::size_t r = 0; r < y.size(); ++r) {
    n1 += y[r];
    for (int f = 0; f < kNumFeatures; ++f) {
      const double v = x(static_cast<Eigen::Index>(r), f);
      total[f] += v;
      if (y[r]) observed1[f] += v;
    }
  }
  const double n = static_cast<double>(y.size());
  const double p1 = static_cast<double>(n1) / n, p0 = static_cast<double>(y.size() - n1) / n;
  std::array<double, kNumFeatures> scores{};
  for (int f = 0; f < kNumFeatures; ++f) {
    const double obs0 = total[f] - observed1[f], obs1 = observed1[f];
    const double exp0 = p0 * total[f], exp1 = p1 * total[f];
    // 0/0 yields NaN exactly where numpy does; a class with no rows contributes 0/0 too, which
    // sklearn reports the same way (it needs both classes to mean anything).
    scores[f] = (obs0 - exp0) * (obs0 - exp0) / exp0 + (obs1 - exp1) * (obs1 - exp1) / exp1;
  }
  return scores;
}

std::vector<int> SelectKBest(std::span<const double> scores, int k) {
  const int n = static_cast<int>(scores.size());
  if (k < 1 || k > n) {
    std::cerr << "fatal: SelectKBest k=" << k << " with " << n << " features\n";
    std::abort();
  }
  auto key = [&scores](int i) {
    return std::isnan(scores[i]) ? std::numeric_limits<double>::lowest() : scores[i];
  };
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key(a) < key(b); });
  std::vector<int> chosen(order.end() - k, order.end());
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace mlprod::ml
