// Hand-computed checks of the scaler, chi2 and selection that need no Python.
#include <gtest/gtest.h>

#include <cmath>

#include "ml/preprocess.h"

namespace mlprod::ml {
namespace {

TEST(MinMaxScaler, MapsTrainingRangeToUnitIntervalAndConstantsToZero) {
  FeatureMatrix x = FeatureMatrix::Constant(3, kNumFeatures, 5.0);
  x.col(0) << 2, 4, 6;
  const auto s = MinMaxScaler::Fit(x);
  EXPECT_DOUBLE_EQ(s.Apply(0, 2), 0.0);
  EXPECT_DOUBLE_EQ(s.Apply(0, 4), 0.5);
  EXPECT_DOUBLE_EQ(s.Apply(0, 8), 1.5);
  EXPECT_DOUBLE_EQ(s.Scale(1), 1.0);  // range 0 counts as 1
  EXPECT_DOUBLE_EQ(s.Apply(1, 5), 0.0);
  EXPECT_DOUBLE_EQ(s.Apply(1, 6), 1.0);
}

TEST(Chi2Scores, MatchesTheContingencyFormula) {
  // Feature 0 is the label itself; feature 1 is the same in both classes.
  FeatureMatrix x = FeatureMatrix::Zero(4, kNumFeatures);
  x.col(0) << 1, 1, 0, 0;
  x.col(1) << 1, 1, 1, 1;
  const std::vector<std::int8_t> y = {1, 1, 0, 0};
  const auto scores = Chi2Scores(x, y);
  ASSERT_TRUE(scores.ok());
  // observed (0, 2) vs expected (1, 1): (0-1)^2/1 + (2-1)^2/1 = 2
  EXPECT_DOUBLE_EQ((*scores)[0], 2.0);
  EXPECT_DOUBLE_EQ((*scores)[1], 0.0);
  EXPECT_TRUE(std::isnan((*scores)[2]));  // all-zero feature: 0/0
}

TEST(Chi2Scores, RejectsNegativeFeatures) {
  FeatureMatrix x = FeatureMatrix::Zero(2, kNumFeatures);
  x(0, 3) = -0.5;
  const std::vector<std::int8_t> y = {0, 1};
  const auto scores = Chi2Scores(x, y);
  ASSERT_FALSE(scores.ok());
  EXPECT_EQ(scores.error().code, ErrorCode::kInvalidArgument);
}

TEST(SelectKBest, KeepsHighestScoresInFeatureOrder) {
  const std::vector<double> scores = {0.1, 5, 3, std::nan(""), 4};
  EXPECT_EQ(SelectKBest(scores, 2), (std::vector<int>{1, 4}));
  EXPECT_EQ(SelectKBest(scores, 5), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(SelectKBest, PrefersHigherIndexAmongTies) {
  const std::vector<double> scores = {1, 1, 1, 0};
  EXPECT_EQ(SelectKBest(scores, 2), (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace mlprod::ml
