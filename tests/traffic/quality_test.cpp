#include "traffic/quality.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "traffic/stats.h"

namespace mlprod::traffic {
namespace {

// Utilities 3, 0, 2, 1: the ideal top-10 DCG is 3/log2(2) + 2/log2(3) + 1/log2(4).
const std::vector<double> kAll = {3, 0, 2, 1};
const double kIdeal = 3.0 + 2.0 / std::log2(3.0) + 1.0 / 2.0;

TEST(JudgeList, DiscountsTheShownOrderAgainstTheIdealOverAllLocations) {
  const std::vector<double> shown = {2, 3};
  const ListJudgement j = JudgeList(kAll, shown);
  ASSERT_TRUE(j.acceptable);
  EXPECT_NEAR(j.ndcg, (2.0 + 3.0 / std::log2(3.0)) / kIdeal, 1e-12);
  EXPECT_TRUE(j.best_shown);
  EXPECT_DOUBLE_EQ(j.regret, 0);
}

TEST(JudgeList, ThePerfectOrderScoresOne) {
  const std::vector<double> shown = {3, 2, 1, 0};
  EXPECT_NEAR(JudgeList(kAll, shown).ndcg, 1.0, 1e-12);
}

TEST(JudgeList, MissingTheBestCostsItsUtilityGap) {
  const std::vector<double> shown = {1, 0};
  const ListJudgement j = JudgeList(kAll, shown);
  EXPECT_NEAR(j.ndcg, 1.0 / kIdeal, 1e-12);
  EXPECT_FALSE(j.best_shown);
  EXPECT_DOUBLE_EQ(j.regret, 2);
}

TEST(JudgeList, NothingAcceptableIsNotJudged) {
  const std::vector<double> all = {0, 0, -1};
  const std::vector<double> shown = {0, -1};
  const ListJudgement j = JudgeList(all, shown);
  EXPECT_FALSE(j.acceptable);
  EXPECT_EQ(j.ndcg, 0);
}

TEST(JudgeList, OnlyTheTopTenCountForTheIdealAndTheShownDcg) {
  // Twelve locations of utility 1: a list of twelve 1s is perfect; rows 11–12 add nothing.
  const std::vector<double> all(12, 1.0);
  const std::vector<double> shown(12, 1.0);
  EXPECT_NEAR(JudgeList(all, shown).ndcg, 1.0, 1e-12);
  // An unacceptable 11th row shown does not lower it either.
  std::vector<double> with_zero(10, 1.0);
  with_zero.push_back(0);
  EXPECT_NEAR(JudgeList(all, with_zero).ndcg, 1.0, 1e-12);
}

TEST(Intervals, UseTheNormalApproximation) {
  // Samples 0.2, 0.4, 0.6: mean 0.4, s = 0.2.
  const Interval m = MeanInterval(1.2, 0.04 + 0.16 + 0.36, 3);
  EXPECT_NEAR(m.mean, 0.4, 1e-12);
  EXPECT_NEAR(m.hi - m.mean, 1.96 * 0.2 / std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(m.mean - m.lo, 1.96 * 0.2 / std::sqrt(3.0), 1e-12);
  const Interval p = ShareInterval(30, 100);
  EXPECT_NEAR(p.mean, 0.3, 1e-12);
  EXPECT_NEAR(p.hi - 0.3, 1.96 * std::sqrt(0.3 * 0.7 / 100), 1e-12);
  EXPECT_EQ(ShareInterval(0, 10).lo, 0);  // clipped
  EXPECT_EQ(ShareInterval(0, 0).mean, 0);
}

TEST(QualityStats, KeepsUnacceptableLoopsOutOfTheMeans) {
  QualityStats q;
  q.Add(JudgeList(kAll, std::vector<double>{3, 2, 1}));  // ndcg 1, best shown
  q.Add(JudgeList(kAll, std::vector<double>{1}));        // best missed, regret 2
  q.Add(JudgeList(std::vector<double>{0, 0}, std::vector<double>{0}));
  q.picks = 1;
  q.no_picks = 3;
  const nlohmann::json j = QualityJson(q);
  EXPECT_EQ(j["loops"], 3);
  EXPECT_EQ(j["no_acceptable"], 1);
  EXPECT_NEAR(j["ndcg_at_10"]["mean"].get<double>(), (1.0 + 1.0 / kIdeal) / 2, 1e-4);
  EXPECT_EQ(j["ndcg_at_10"]["ci95"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["best_shown"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["regret"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["pick_rate"].get<double>(), 0.25);
  EXPECT_LT(j["pick_rate_ci95"][0].get<double>(), 0.25);
  EXPECT_GT(j["pick_rate_ci95"][1].get<double>(), 0.25);
}

TEST(QualityStats, IsNullWhereThereIsNothingToAverage) {
  const nlohmann::json j = QualityJson(QualityStats{});
  EXPECT_TRUE(j["pick_rate"].is_null());
  EXPECT_TRUE(j["ndcg_at_10"].is_null());
  EXPECT_TRUE(j["best_shown"].is_null());
}

TEST(QualitySummary, GroupsByModelAndPoolsThemOverall) {
  TrafficStats a, b;
  a.quality_by_model["m1"].Add(JudgeList(kAll, std::vector<double>{3, 2, 1}));
  a.quality_by_model["m1"].picks = 1;
  b.quality_by_model["m1"].Add(JudgeList(kAll, std::vector<double>{1}));
  b.quality_by_model["m1"].no_picks = 1;
  b.quality_by_model["m2"].Add(JudgeList(kAll, std::vector<double>{2}));
  b.quality_by_model["m2"].picks = 1;
  a.Merge(b);

  RunInfo info{"http://x", 2, 1.0, 4, ""};
  const nlohmann::json j = SummaryJson(info, a);
  EXPECT_EQ(j["locations"], 4);
  ASSERT_TRUE(j["quality_by_model"].is_object());
  EXPECT_EQ(j["quality_by_model"].size(), 2u);
  EXPECT_EQ(j["quality_by_model"]["m1"]["loops"], 2);
  EXPECT_DOUBLE_EQ(j["quality_by_model"]["m1"]["pick_rate"].get<double>(), 0.5);
  EXPECT_EQ(j["quality_by_model"]["m2"]["loops"], 1);
  EXPECT_DOUBLE_EQ(j["quality_by_model"]["m2"]["regret"].get<double>(), 1.0);
  EXPECT_EQ(j["quality"]["loops"], 3);
  EXPECT_NEAR(j["quality"]["pick_rate"].get<double>(), 2.0 / 3, 1e-4);
  EXPECT_NEAR(j["quality"]["best_shown"].get<double>(), 1.0 / 3, 1e-4);

  const std::string text = SummaryText(info, a);
  EXPECT_NE(text.find("model m1: loops 2"), std::string::npos);
  EXPECT_NE(text.find("model m2: loops 1"), std::string::npos);
}

TEST(QualitySummary, IsNullWithoutGroundTruth) {
  RunInfo info{"http://x", 1, 1.0, 0, "GET /content/locations: HTTP 404"};
  const nlohmann::json j = SummaryJson(info, TrafficStats{});
  EXPECT_TRUE(j["quality"].is_null());
  EXPECT_TRUE(j["quality_by_model"].is_null());
  EXPECT_NE(SummaryText(info, TrafficStats{}).find("HTTP 404"), std::string::npos);
}

}  // namespace
}  // namespace mlprod::traffic
