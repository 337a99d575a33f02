#include "tasks/offline_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

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
  ml::Dataset holdout_;
  std::optional<ml::Model> good_, bad_;
};

TEST_F(OfflineGateTest, PassesACandidateThatRanksTheHoldoutBetter) {
  const GateDecision d = OfflineGate(*bad_, "old", *good_, holdout_);
  EXPECT_TRUE(d.pass) << d.reason;
  EXPECT_GT(d.evidence["candidate"]["auc"].get<double>(),
            d.evidence["current"]["auc"].get<double>());
  EXPECT_EQ(d.evidence["current"]["model_id"], "old");
  EXPECT_EQ(d.evidence["holdout_rows"], 600);
  EXPECT_EQ(d.evidence["holdout_picks"], holdout_.positives());
  EXPECT_NE(d.reason.find("passes"), std::string::npos) << d.reason;
}

TEST_F(OfflineGateTest, RejectsACandidateTrainedOnShuffledLabels) {
  const GateDecision d = OfflineGate(*good_, "old", *bad_, holdout_);
  EXPECT_FALSE(d.pass) << d.reason;
  EXPECT_NE(d.reason.find("does not beat"), std::string::npos) << d.reason;
}

TEST_F(OfflineGateTest, AnEqualModelDoesNotPassAndTheMarginIsHonoured) {
  EXPECT_FALSE(OfflineGate(*good_, "old", *good_, holdout_).pass);
  const GateDecision plain = OfflineGate(*bad_, "old", *good_, holdout_);
  const double gap = plain.evidence["candidate"]["auc"].get<double>() -
                     plain.evidence["current"]["auc"].get<double>();
  EXPECT_TRUE(OfflineGate(*bad_, "old", *good_, holdout_, gap * 0.9).pass);
  EXPECT_FALSE(OfflineGate(*bad_, "old", *good_, holdout_, gap * 1.1).pass);
}

TEST_F(OfflineGateTest, AOneClassHoldoutPassesNothingAndSaysWhy) {
  ml::Dataset one = holdout_;
  std::fill(one.y.begin(), one.y.end(), 0);
  const GateDecision d = OfflineGate(*bad_, "old", *good_, one);
  EXPECT_FALSE(d.pass);
  EXPECT_NE(d.reason.find("undefined"), std::string::npos) << d.reason;
  EXPECT_TRUE(d.evidence["candidate"]["auc"].is_null());
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
