// The sliding window: it keeps only the last N rows, means and PSI against a reference.
#include "drift/drift_window.h"

#include <gtest/gtest.h>

namespace mlprod::drift {
namespace {

UserRow Row(double v) {
  UserRow r;
  r.fill(v);
  return r;
}

// Every feature binned at edges {1, 2}: shares 0.25 / 0.5 / 0.25, mean 1.5.
ml::InputProfile ThreeBinProfile() {
  ml::InputProfile p;
  p.rows = 4;
  for (auto& f : p.features) f = ml::FeatureReference{{1, 2}, {0.25, 0.5, 0.25}, 1.5};
  return p;
}

TEST(DriftWindow, KeepsOnlyTheLastCapacityRows) {
  DriftWindow w(3);
  EXPECT_EQ(w.size(), 0u);
  for (int i = 1; i <= 5; ++i) w.Add(Row(i));
  EXPECT_EQ(w.size(), 3u);
  EXPECT_EQ(w.capacity(), 3u);
  EXPECT_DOUBLE_EQ(w.Means()[0], (3 + 4 + 5) / 3.0);
  w.Clear();
  EXPECT_EQ(w.size(), 0u);
  EXPECT_DOUBLE_EQ(w.Means()[5], 0.0);
}

TEST(DriftWindow, MeansBeforeTheBufferWraps) {
  DriftWindow w(10);
  w.Add(Row(2));
  w.Add(Row(4));
  EXPECT_DOUBLE_EQ(w.Means()[12], 3.0);
}

TEST(DriftWindow, MatchingSharesGiveZeroPsi) {
  DriftWindow w(4);
  for (double v : {0.5, 1.5, 2.0, 7.0}) w.Add(Row(v));  // bins 0, 1, 1, 2
  const auto drift = w.Compare(ThreeBinProfile());
  for (const auto& f : drift) {
    EXPECT_NEAR(f.psi, 0.0, 1e-12);
    EXPECT_DOUBLE_EQ(f.input_mean, 11.0 / 4);
    EXPECT_DOUBLE_EQ(f.reference_mean, 1.5);
  }
}

TEST(DriftWindow, AllRequestsInOneOuterBinIsLargeDrift) {
  DriftWindow w(50);
  for (int i = 0; i < 50; ++i) w.Add(Row(100));  // far above the training range
  const auto drift = w.Compare(ThreeBinProfile());
  EXPECT_GT(drift[2].psi, 0.25);
  EXPECT_GT(drift[2].psi, 5.0);
  EXPECT_DOUBLE_EQ(drift[2].input_mean, 100.0);
}

TEST(DriftWindow, OldRowsLeaveTheComparison) {
  DriftWindow w(4);
  for (int i = 0; i < 4; ++i) w.Add(Row(100));
  for (double v : {0.5, 1.5, 2.0, 7.0}) w.Add(Row(v));
  EXPECT_NEAR(w.Compare(ThreeBinProfile())[0].psi, 0.0, 1e-12);
}

}  // namespace
}  // namespace mlprod::drift
