#include "tasks/offline_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "common/uuid.h"
#include "data/dataset.h"
#include "ml/test_data.h"
#include "ml/train.h"

namespace mlprod::tasks {
namespace {

ml::Model TrainOn(const ml::Dataset& d, std::uint64_t seed) {
  auto m = ml::Train(d, ml::TrainOptions{.epochs = 20, .seed = seed});
  EXPECT_TRUE(m.ok());
  return std::move(m).value();
}

// Labels of a learnable data set shuffled: a model trained on it ranks at random.
ml::Dataset Shuffled(ml::Dataset d) {
  std::reverse(d.y.begin(), d.y.begin() + d.rows() / 2);
  std::rotate(d.y.begin(), d.y.begin() + 7, d.y.end());
  return d;
}

class OfflineGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    holdout_ = ml::testing::RandomDataset(600, 3);
    good_ = TrainOn(ml::testing::RandomDataset(1200, 1), 1);
    bad_ = TrainOn(Shuffled(ml::testing::RandomDataset(1200, 1)), 2);
  }
  // The point-estimate rule (no bootstrap) unless a test asks for it.
  GateDecision Gate(const ml::Model& current, const ml::Model& candidate, const ml::Dataset& h,
                    GateOptions options = {.resamples = 0}) {
    return OfflineGate(current, "old", candidate, h, {}, options);
  }
  ml::Dataset holdout_;
  std::optional<ml::Model> good_, bad_;
};

TEST_F(OfflineGateTest, PassesACandidateThatRanksTheHoldoutBetter) {
  const GateDecision d = Gate(*bad_, *good_, holdout_);
  EXPECT_TRUE(d.pass) << d.reason;
  EXPECT_GT(d.evidence["candidate"]["auc"].get<double>(),
            d.evidence["current"]["auc"].get<double>());
  EXPECT_EQ(d.evidence["current"]["model_id"], "old");
  EXPECT_EQ(d.evidence["holdout_rows"], 600);
  EXPECT_EQ(d.evidence["holdout_picks"], holdout_.positives());
  EXPECT_NE(d.reason.find("passes"), std::string::npos) << d.reason;
}

TEST_F(OfflineGateTest, RejectsACandidateTrainedOnShuffledLabels) {
  const GateDecision d = Gate(*good_, *bad_, holdout_);
  EXPECT_FALSE(d.pass) << d.reason;
  EXPECT_NE(d.reason.find("not better"), std::string::npos) << d.reason;
}

TEST_F(OfflineGateTest, AnEqualModelDoesNotPassAndTheMarginIsHonoured) {
  EXPECT_FALSE(Gate(*good_, *good_, holdout_).pass);
  const GateDecision plain = Gate(*bad_, *good_, holdout_);
  const double gap = plain.evidence["candidate"]["auc"].get<double>() -
                     plain.evidence["current"]["auc"].get<double>();
  EXPECT_TRUE(Gate(*bad_, *good_, holdout_, {.margin = gap * 0.9, .resamples = 0}).pass);
  EXPECT_FALSE(Gate(*bad_, *good_, holdout_, {.margin = gap * 1.1, .resamples = 0}).pass);
}

TEST_F(OfflineGateTest, AOneClassHoldoutPassesNothingAndSaysWhy) {
  ml::Dataset one = holdout_;
  std::fill(one.y.begin(), one.y.end(), 0);
  const GateDecision d = Gate(*bad_, *good_, one);
  EXPECT_FALSE(d.pass);
  EXPECT_NE(d.reason.find("undefined"), std::string::npos) << d.reason;
  EXPECT_TRUE(d.evidence["candidate"]["auc"].is_null());
}

TEST_F(OfflineGateTest, TheBootstrapPassesAClearWinnerAndIsDeterministic) {
  const GateDecision d = Gate(*bad_, *good_, holdout_, {.resamples = 300, .seed = 5});
  EXPECT_TRUE(d.pass) << d.reason;
  const double lower = d.evidence["auc_difference_lower_bound"].get<double>();
  EXPECT_GT(lower, 0);
  EXPECT_LT(lower, d.evidence["auc_difference"].get<double>());
  const GateDecision again = Gate(*bad_, *good_, holdout_, {.resamples = 300, .seed = 5});
  EXPECT_EQ(again.evidence["auc_difference_lower_bound"], d.evidence["auc_difference_lower_bound"]);
}

// A candidate whose scores differ from the current model's by noise only: its point estimate may
// come out ahead, but not beyond chance.
TEST(AucDifferenceLowerBound, NoiseDoesNotPassButAClearGainDoes) {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> noise(0, 1);
  std::vector<float> truth(400), current(400), noisy(400), better(400);
  std::vector<std::int8_t> labels(400);
  for (int i = 0; i < 400; ++i) {
    truth[i] = noise(rng);
    labels[i] = truth[i] + noise(rng) > 0.8f;
    current[i] = truth[i] + 1.5f * noise(rng);
    noisy[i] = current[i] + 0.05f * noise(rng);
    better[i] = truth[i] + 0.3f * noise(rng);
  }
  const GateOptions opts{.resamples = 500};
  EXPECT_LT(AucDifferenceLowerBound(current, noisy, labels, {}, opts), 0);
  EXPECT_GT(AucDifferenceLowerBound(current, better, labels, {}, opts), 0.05);
  EXPECT_EQ(AucDifferenceLowerBound(current, current, labels, {}, opts), 0);
}

// Ten copies of each row in one group carry no more information than the row once: the bound
// must be as wide as for the single rows, not ten times narrower as for independent copies.
TEST(AucDifferenceLowerBound, ResamplesWholeGroups) {
  std::mt19937_64 rng(4);
  std::normal_distribution<float> noise(0, 1);
  std::vector<float> cur, cand;
  std::vector<std::int8_t> labels;
  std::vector<std::int64_t> groups;
  for (int g = 0; g < 60; ++g) {
    const float t = noise(rng);
    const std::int8_t y = t + noise(rng) > 0;
    const float c = t + noise(rng), n = t + noise(rng);
    for (int k = 0; k < 10; ++k) {
      cur.push_back(c);
      cand.push_back(n);
      labels.push_back(y);
      groups.push_back(g);
    }
  }
  const GateOptions opts{.resamples = 500};
  const double grouped = AucDifferenceLowerBound(cur, cand, labels, groups, opts);
  const double rows = AucDifferenceLowerBound(cur, cand, labels, {}, opts);
  EXPECT_LT(grouped, rows - 0.02) << "grouped " << grouped << " rows " << rows;
}

TEST(ReferenceData, SplitsLikeTheBaselineAndKeepsTheHoldoutOutOfTraining) {
  const auto dir = std::filesystem::temp_directory_path() / ("gate-" + NewUuid());
  ml::Dataset d = ml::testing::RandomDataset(100, 5);
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "l.tsv");
    for (std::size_t i = 0; i < ml::FeatureNames().size(); ++i)
      out << ml::FeatureNames()[i] << '\t';
    out << "label\n";
    for (std::int64_t r = 0; r < d.rows(); ++r) {
      for (int c = 0; c < ml::kNumFeatures; ++c) out << d.x(r, c) << '\t';
      out << int(d.y[r]) << '\n';
    }
  }
  auto ref = LoadReferenceData(dir / "l.tsv", 0.2);
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_EQ(ref->train.rows(), 80);
  EXPECT_EQ(ref->holdout.rows(), 20);
  EXPECT_NEAR(ref->holdout.x(0, 2), d.x(80, 2), 1e-3);  // ostream prints 6 digits
  auto missing = LoadReferenceData(dir / "none.tsv", 0.2);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("none.tsv"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mlprod::tasks
