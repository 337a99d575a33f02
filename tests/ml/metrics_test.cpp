// Hand-computed classification metrics, including the cases sklearn defines specially.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ml/metrics.h"

namespace mlprod::ml {
namespace {

TEST(Metrics, PrecisionAndRecallAreNotSwapped) {
  // 1 true positive, 3 false positives, 0 false negatives: precision 1/4, recall 1.
  const std::vector<float> scores = {0.9f, 0.8f, 0.7f, 0.6f, 0.1f};
  const std::vector<std::int8_t> labels = {1, 0, 0, 0, 0};
  const Metrics m = ComputeMetrics(scores, labels);
  EXPECT_DOUBLE_EQ(m.pre, 0.25);
  EXPECT_DOUBLE_EQ(m.rec, 1.0);
  EXPECT_DOUBLE_EQ(m.f1, 0.4);
  EXPECT_DOUBLE_EQ(m.acc, 0.4);
  EXPECT_DOUBLE_EQ(m.auc, 1.0);
}

TEST(Metrics, NoPredictedPositivesGivesZeroPrecision) {
  const std::vector<float> scores = {0.1f, 0.2f, 0.5f};
  const std::vector<std::int8_t> labels = {1, 0, 1};
  const Metrics m = ComputeMetrics(scores, labels);
  EXPECT_EQ(m.pre, 0.0);
  EXPECT_EQ(m.rec, 0.0);
  EXPECT_EQ(m.f1, 0.0);
}

TEST(RocAuc, AveragesTiedRanks) {
  // Positive and negative tied at 0.5 count half: pairs (p, n): (0.5 vs 0.5) = 0.5,
  // (0.5 vs 0.1) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.1) = 1 -> 3.5 / 4.
  const std::vector<float> scores = {0.5f, 0.9f, 0.5f, 0.1f};
  const std::vector<std::int8_t> labels = {1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(RocAuc(scores, labels), 0.875);
}

TEST(RocAuc, IsNaNWithOneClass) {
  const std::vector<float> scores = {0.5f, 0.9f};
  const std::vector<std::int8_t> labels = {1, 1};
  EXPECT_TRUE(std::isnan(RocAuc(scores, labels)));
}

}  // namespace
}  // namespace mlprod::ml
