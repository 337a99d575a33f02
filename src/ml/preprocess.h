// Feature preprocessing fitted on the training split: min-max scaling to [0, 1] and chi-squared
// SelectKBest, both computed exactly as scikit-learn 1.2 does (MinMaxScaler, chi2, SelectKBest).
// Not the MLP. Pure functions and immutable values; thread-safe.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "common/result.h"
#include "ml/dataset.h"

namespace mlprod::ml {

// x' = x * scale + offset with scale = 1 / (max - min), offset = -min * scale, as sklearn's
// MinMaxScaler. A (near-)constant column (range < 10 * DBL_EPSILON) gets range 1, so it maps to
// 0 on the training data instead of dividing by zero.
struct MinMaxScaler {
  std::array<double, kNumFeatures> data_min{};
  std::array<double, kNumFeatures> data_max{};

  // x must have at least one row.
  static MinMaxScaler Fit(const FeatureMatrix& x);

  double Scale(int feature) const;
  double Offset(int feature) const { return -data_min[feature] * Scale(feature); }
  double Apply(int feature, double value) const { return value * Scale(feature) + Offset(feature); }
  FeatureMatrix Transform(const FeatureMatrix& x) const;
};

// Chi-squared statistic of each feature against the binary label, as sklearn.feature_selection
// .chi2: sum over both classes of (observed - expected)^2 / expected. A feature that is zero in
// every row has expected 0 and scores NaN, as in sklearn. x must be non-negative
// (kInvalidArgument otherwise); y must hold 0/1 and have x.rows() entries.
Result<std::array<double, kNumFeatures>> Chi2Scores(const FeatureMatrix& x,
                                                    std::span<const std::int8_t> y);

// The k best features by score, returned in ascending feature order. Same choice as sklearn's
// SelectKBest: NaN ranks lowest, and among equal scores the feature with the higher index wins
// (sklearn keeps the tail of a stable ascending argsort). 1 <= k <= scores.size().
std::vector<int> SelectKBest(std::span<const double> scores, int k);

}  // namespace mlprod::ml
