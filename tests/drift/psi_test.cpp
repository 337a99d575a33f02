// The population stability index: known values, identical and disjoint distributions, and the
// epsilon smoothing of empty bins.
#include "drift/psi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mlprod::drift {
namespace {

TEST(Psi, IdenticalDistributionsAreZero) {
  const std::vector<double> p{0.1, 0.2, 0.3, 0.4};
  EXPECT_DOUBLE_EQ(Psi(p, p), 0.0);
}

TEST(Psi, MatchesTheDefinitionOnAKnownExample) {
  const std::vector<double> expected{0.5, 0.5}, actual{0.8, 0.2};
  // (0.8-0.5)·ln(0.8/0.5) + (0.2-0.5)·ln(0.2/0.5) = 0.3·ln 1.6 + 0.3·ln 2.5
  EXPECT_NEAR(Psi(expected, actual), 0.3 * std::log(1.6) + 0.3 * std::log(2.5), 1e-12);
  EXPECT_NEAR(Psi(expected, actual), 0.41589, 1e-5);
}

TEST(Psi, IsSymmetric) {
  const std::vector<double> a{0.1, 0.6, 0.3}, b{0.3, 0.3, 0.4};
  EXPECT_DOUBLE_EQ(Psi(a, b), Psi(b, a));
}

TEST(Psi, SmallShiftStaysBelowTheStableThreshold) {
  const std::vector<double> deciles(10, 0.1);
  const std::vector<double> shifted{0.12, 0.08, 0.1, 0.11, 0.09, 0.1, 0.1, 0.12, 0.08, 0.1};
  EXPECT_GT(Psi(deciles, shifted), 0.0);
  EXPECT_LT(Psi(deciles, shifted), 0.1);
}

TEST(Psi, DisjointDistributionsAreLargeButFinite) {
  const std::vector<double> expected{0.5, 0.5, 0.0}, actual{0.0, 0.0, 1.0};
  const double psi = Psi(expected, actual);
  EXPECT_TRUE(std::isfinite(psi));
  // Each side's empty bins count as kPsiEpsilon: 2·(0.5−ε)·ln(0.5/ε) + (1−ε)·ln(1/ε).
  const double e = kPsiEpsilon;
  EXPECT_NEAR(psi, 2 * (0.5 - e) * std::log(0.5 / e) + (1 - e) * std::log(1 / e), 1e-9);
  EXPECT_GT(psi, 10.0);
}

TEST(Psi, EmptyBinOnBothSidesAddsNothing) {
  const std::vector<double> a{0.5, 0.5, 0.0}, b{0.4, 0.6, 0.0};
  const std::vector<double> a2{0.5, 0.5}, b2{0.4, 0.6};
  EXPECT_DOUBLE_EQ(Psi(a, b), Psi(a2, b2));
}

TEST(Psi, EpsilonBoundsTheTermOfAnEmptyBin) {
  const std::vector<double> expected{0.9, 0.1}, actual{1.0, 0.0};
  EXPECT_NEAR(Psi(expected, actual, 0.01),
              0.1 * std::log(1.0 / 0.9) + (0.01 - 0.1) * std::log(0.01 / 0.1), 1e-12);
  EXPECT_LT(Psi(expected, actual, 0.01), Psi(expected, actual, 1e-6));
}

}  // namespace
}  // namespace mlprod::drift
