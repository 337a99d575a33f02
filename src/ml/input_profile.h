// The reference distribution of a model's inputs: per user feature, bins fitted on the training
// split (quartiles, duplicates merged), the share of training rows in each bin and the mean. Stored
// in model.json ("input_profile", docs/ml.md); drift monitoring compares live requests with it.
// Not the drift statistics themselves (drift/). Plain values; thread-safe to share read-only.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "ml/dataset.h"

namespace mlprod::ml {

// Bins of one feature: bin 0 is (-inf, edges[0]], bin i is (edges[i-1], edges[i]], the last bin
// (edges.back(), +inf). So values outside the training range land in the outer bins.
struct FeatureReference {
  std::vector<double> edges;        // strictly ascending, finite
  std::vector<double> proportions;  // edges.size() + 1 shares of training rows, summing to 1
  double mean = 0;                  // of the training rows
};

struct InputProfile {
  std::int64_t rows = 0;  // training rows the profile was computed from
  std::array<FeatureReference, kNumUserFeatures> features;
};

// Default number of quantile bins per feature: quartiles. The default data set's rows hold only
// ~170 distinct users, so finer bins mostly measure the reference's own sampling noise. Measured
// on the seed-42 data set with 200 windows of 500 users drawn from the same profiles
// (tests/drift/profile_traffic_test.cpp): some feature's PSI exceeds 0.1 in ~90 % of the windows
// with deciles, 12 % with quintiles and none with quartiles (worst 0.093).
inline constexpr int kInputProfileBins = 4;

// Fits the profile on the user columns of x (rows >= 1). Edges are the 1/bins ... (bins-1)/bins
// quantiles (lower empirical quantile: the value at rank ceil(q·n)), duplicates merged, edges at
// the training maximum dropped (the top bin always holds training rows). When no edge is left,
// the largest value below the maximum is the edge, so a boolean always gets the single edge 0
// (bins "0" and "1"); a constant feature gets its value. bins must be >= 2.
InputProfile ComputeInputProfile(const FeatureMatrix& x, int bins = kInputProfileBins);

// The bin of value x: the first i with x <= edges[i], else edges.size(). NaN lands in the last bin.
int BinIndex(std::span<const double> edges, double x);

// Checks the invariants above (edge order and finiteness, proportion count, range and sum within
// 1e-6 of 1, finite mean); the message names the feature.
Status ValidateInputProfile(const InputProfile& profile);

}  // namespace mlprod::ml
