#include "tasks/canary_rule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

namespace mlprod::tasks {
namespace {

struct SimRun {
  CanaryVerdict verdict;
  std::int64_t decisive;
  bool at_horizon;
};

// Feeds Bernoulli(p) wins one decisive list at a time, deciding after each, as the judge does.
SimRun Simulate(double p, std::mt19937_64& rng, const CanaryRuleOptions& o = {}) {
  std::bernoulli_distribution win(p);
  CanaryTally t;
  while (true) {
    ++(win(rng) ? t.candidate_wins : t.current_wins);
    // Only where the boundary says a decision is due is the full rule asked (it also writes its
    // evidence), and it must agree that nothing was due before.
    const double excess = t.candidate_wins - t.decisive() / 2.0;
    if (std::fabs(excess) < CanaryBoundary(t.decisive(), o) && t.decisive() < o.max_decisive) {
      continue;
    }
    const CanaryDecision d = DecideCanary(t, o);
    EXPECT_NE(d.verdict, CanaryVerdict::kContinue);
    return {d.verdict, t.decisive(), t.decisive() >= o.max_decisive};
  }
}

TEST(CanaryRule, FixedTalliesGiveFixedDecisions) {
  EXPECT_EQ(DecideCanary({0, 0, 0}).verdict, CanaryVerdict::kContinue);
  EXPECT_EQ(DecideCanary({55, 45, 10}).verdict, CanaryVerdict::kContinue);
  EXPECT_EQ(DecideCanary({30, 100, 10}).verdict, CanaryVerdict::kRollBack);
  EXPECT_EQ(DecideCanary({100, 30, 10}).verdict, CanaryVerdict::kPromote);
  // At the horizon an undecided canary keeps the current model.
  EXPECT_EQ(DecideCanary({1520, 1480, 0}).verdict, CanaryVerdict::kRollBack);
  const CanaryDecision d = DecideCanary({100, 30, 10});
  EXPECT_EQ(d.evidence["candidate_wins"], 100);
  EXPECT_EQ(d.evidence["verdict"], "promote");
  EXPECT_NEAR(d.evidence["candidate_win_share"].get<double>(), 100.0 / 130, 1e-12);
  EXPECT_NE(d.reason.find("better"), std::string::npos) << d.reason;
}

TEST(CanaryRule, TheBoundaryIsSymmetricAndGrowsLikeTheRootOfN) {
  const CanaryRuleOptions o;
  EXPECT_LT(CanaryBoundary(100, o), CanaryBoundary(400, o));
  EXPECT_LT(CanaryBoundary(400, o), 2.0 * CanaryBoundary(100, o));
  // 100 decisive lists: a 72/28 split is beyond it, 65/35 is not.
  EXPECT_GT(22.0, CanaryBoundary(100, o));
  EXPECT_LT(15.0, CanaryBoundary(100, o));
  EXPECT_EQ(DecideCanary({72, 28, 0}).verdict, CanaryVerdict::kPromote);
  EXPECT_EQ(DecideCanary({28, 72, 0}).verdict, CanaryVerdict::kRollBack);
  EXPECT_EQ(DecideCanary({65, 35, 0}).verdict, CanaryVerdict::kContinue);
}

// Error rates by simulation (2000 canaries each; seeds fixed, so the figures are fixed).
TEST(CanaryRule, EqualModelsAreRarelyPromotedOrRolledBackBeforeTheHorizon) {
  std::mt19937_64 rng(1);
  int promoted = 0, rolled_back_early = 0;
  for (int i = 0; i < 2000; ++i) {
    const SimRun r = Simulate(0.5, rng);
    promoted += r.verdict == CanaryVerdict::kPromote;
    rolled_back_early += r.verdict == CanaryVerdict::kRollBack && !r.at_horizon;
  }
  // alpha = 0.05 bounds both together; the mixture bound is conservative.
  EXPECT_LE(promoted + rolled_back_early, 100) << promoted << " + " << rolled_back_early;
  std::printf("equal models: %d promoted, %d rolled back before the horizon, of 2000\n", promoted,
              rolled_back_early);
}

TEST(CanaryRule, AWorseCandidateIsNeverPromotedAndRolledBackQuickly) {
  std::mt19937_64 rng(2);
  std::int64_t worst = 0;
  for (int i = 0; i < 2000; ++i) {
    const SimRun r = Simulate(0.3, rng);
    ASSERT_EQ(r.verdict, CanaryVerdict::kRollBack);
    worst = std::max(worst, r.decisive);
  }
  // A candidate whose items win 30 % of picks is gone after at most ~300 decisive lists.
  EXPECT_LT(worst, 400);
  std::printf("win share 0.3: rolled back after at most %lld decisive lists\n",
              static_cast<long long>(worst));
}

TEST(CanaryRule, ABetterCandidateIsPromotedAndAlmostNeverRolledBack) {
  std::mt19937_64 rng(3);
  int promoted = 0;
  std::int64_t lists = 0;
  for (int i = 0; i < 2000; ++i) {
    const SimRun r = Simulate(0.6, rng);
    promoted += r.verdict == CanaryVerdict::kPromote;
    lists += r.decisive;
  }
  EXPECT_GE(promoted, 1980);
  std::printf("win share 0.6: %d of 2000 promoted, %.0f decisive lists on average\n", promoted,
              static_cast<double>(lists) / 2000);
}

}  // namespace
}  // namespace mlprod::tasks
