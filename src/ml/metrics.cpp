#include "ml/metrics.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <numeric>
#include <vector>

namespace mlprod::ml {

namespace {

void CheckSizes(std::size_t scores, std::size_t labels) {
  if (scores != labels || scores == 0) {
    std::cerr << "fatal: metrics need one label per score and at least one (scores " << scores
              << ", labels " << labels << ")\n";
    std::abort();
  }
}

}  // namespace

double RocAuc(std::span<const float> scores, std::span<const std::int8_t> labels) {
  CheckSizes(scores.size(), labels.size());
  const std::size_t n = scores.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&scores](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  std::int64_t positives = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    // Ranks i+1 .. j (1-based) share their mean.
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (std::size_t k = i; k < j; ++k) {
      if (labels[order[k]]) {
        positive_rank_sum += rank;
        ++positives;
      }
    }
    i = j;
  }
  const auto negatives = static_cast<std::int64_t>(n) - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  const double p = static_cast<double>(positives);
  const double u = positive_rank_sum - p * (p + 1) / 2;
  return u / (p * static_cast<double>(negatives));
}

Metrics ComputeMetrics(std::span<const float> scores, std::span<const std::int8_t> labels,
                       double threshold) {
  CheckSizes(scores.size(), labels.size());
  std::int64_t tp = 0, fp = 0, tn = 0, fn = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool predicted = scores[i] > threshold;
    if (predicted) {
      labels[i] ? ++tp : ++fp;
    } else {
      labels[i] ? ++fn : ++tn;
    }
  }
  Metrics m;
  m.acc = static_cast<double>(tp + tn) / static_cast<double>(scores.size());
  m.pre = tp + fp ? static_cast<double>(tp) / static_cast<double>(tp + fp) : 0.0;
  m.rec = tp + fn ? static_cast<double>(tp) / static_cast<double>(tp + fn) : 0.0;
  // 2tp / (2tp + fp + fn) is how sklearn computes F1; 0 when tp is 0 (zero_division=0).
  m.f1 = tp ? 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn) : 0.0;
  m.auc = RocAuc(scores, labels);
  return m;
}

}  // namespace mlprod::ml
