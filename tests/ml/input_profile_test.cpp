// Input profiles (the drift reference stored in model.json): decile binning of the training
// split, booleans and constants, the round trip through a model folder, old folders without a
// profile, and damaged profiles refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/uuid.h"
#include "ml/input_profile.h"
#include "ml/model_io.h"
#include "ml/test_data.h"
#include "ml/train.h"

namespace mlprod::ml {
namespace {

namespace fs = std::filesystem;

// A matrix whose user column `f` holds `values` (other columns 0).
FeatureMatrix Column(int f, const std::vector<double>& values) {
  FeatureMatrix x = FeatureMatrix::Zero(static_cast<Eigen::Index>(values.size()), kNumFeatures);
  for (std::size_t r = 0; r < values.size(); ++r) x(static_cast<Eigen::Index>(r), f) = values[r];
  return x;
}

TEST(InputProfile, DecilesOfDistinctValues) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // order must not matter
  const auto ref = ComputeInputProfile(Column(2, v), 10).features[2];
  EXPECT_EQ(ref.edges, (std::vector<double>{10, 20, 30, 40, 50, 60, 70, 80, 90}));
  ASSERT_EQ(ref.proportions.size(), 10u);
  for (double p : ref.proportions) EXPECT_DOUBLE_EQ(p, 0.1);
  EXPECT_DOUBLE_EQ(ref.mean, 50.5);
}

TEST(InputProfile, DefaultBinsAreQuartiles) {
  std::vector<double> v;
  for (int i = 1; i <= 8; ++i) v.push_back(i);
  const auto ref = ComputeInputProfile(Column(3, v)).features[3];
  EXPECT_EQ(ref.edges, (std::vector<double>{2, 4, 6}));
  EXPECT_EQ(ref.proportions, (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
}

TEST(InputProfile, BooleanGetsTheSingleEdgeZero) {
  std::vector<double> v(100, 0.0);
  for (int i = 0; i < 30; ++i) v[i] = 1;
  const auto ref = ComputeInputProfile(Column(4, v)).features[4];
  EXPECT_EQ(ref.edges, std::vector<double>{0});
  EXPECT_EQ(ref.proportions, (std::vector<double>{0.7, 0.3}));
  EXPECT_DOUBLE_EQ(ref.mean, 0.3);
}

TEST(InputProfile, RareBooleanValueKeepsItsOwnBin) {
  std::vector<double> v(100, 1.0);
  for (int i = 0; i < 5; ++i) v[i] = 0;  // fewer zeros than one quantile bin
  const auto ref = ComputeInputProfile(Column(5, v)).features[5];
  EXPECT_EQ(ref.edges, std::vector<double>{0});
  EXPECT_EQ(ref.proportions, (std::vector<double>{0.05, 0.95}));
}

TEST(InputProfile, ConstantFeatureHasOneBinAndAnEmptyOneAbove) {
  const auto ref = ComputeInputProfile(Column(0, std::vector<double>(40, 2.0))).features[0];
  EXPECT_EQ(ref.edges, std::vector<double>{2});
  EXPECT_EQ(ref.proportions, (std::vector<double>{1.0, 0.0}));
}

TEST(InputProfile, RepeatedValuesMergeEdgesAndTheTopBinHoldsRows) {
  // people_num-like: many 1s and 2s, a few large groups.
  std::vector<double> v;
  for (int i = 0; i < 50; ++i) v.push_back(1);
  for (int i = 0; i < 30; ++i) v.push_back(2);
  for (int i = 0; i < 15; ++i) v.push_back(3);
  for (int i = 0; i < 5; ++i) v.push_back(9);
  const auto ref = ComputeInputProfile(Column(0, v), 10).features[0];
  EXPECT_EQ(ref.edges, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(ref.proportions, (std::vector<double>{0.5, 0.3, 0.15, 0.05}));
  EXPECT_TRUE(ValidateInputProfile(ComputeInputProfile(Column(0, v))).ok());
}

TEST(InputProfile, BinIndexPutsEdgesInTheLowerBinAndOutliersOutside) {
  const std::vector<double> edges{1, 2, 3};
  EXPECT_EQ(BinIndex(edges, -100), 0);
  EXPECT_EQ(BinIndex(edges, 1), 0);
  EXPECT_EQ(BinIndex(edges, 1.5), 1);
  EXPECT_EQ(BinIndex(edges, 2), 1);
  EXPECT_EQ(BinIndex(edges, 3), 2);
  EXPECT_EQ(BinIndex(edges, 3.0001), 3);
  EXPECT_EQ(BinIndex(edges, 1e9), 3);
  EXPECT_EQ(BinIndex({}, 5), 0);
}

TEST(InputProfile, TrainingRecordsTheProfileOfTheTrainingSplit) {
  const auto data = testing::RandomDataset(200, 3);
  const auto model = Train(data, {.epochs = 1});
  ASSERT_TRUE(model.ok()) << model.error().message;
  const auto& profile = model->metadata().input_profile;
  ASSERT_TRUE(profile.has_value());
  EXPECT_EQ(profile->rows, 200);
  EXPECT_DOUBLE_EQ(profile->features[2].mean, data.x.col(2).mean());  // budget
  EXPECT_TRUE(ValidateInputProfile(*profile).ok());
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class InputProfileFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mlprod-input-profile-" + NewUuid());
    auto model = Train(testing::RandomDataset(120, 8), {.epochs = 1});
    ASSERT_TRUE(model.ok());
    model_.emplace(std::move(*model));
    ASSERT_TRUE(SaveModel(*model_, dir_).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void EditJson(const std::function<void(nlohmann::json&)>& edit) {
    auto j = nlohmann::json::parse(Slurp(dir_ / kModelJsonName));
    edit(j);
    std::ofstream(dir_ / kModelJsonName, std::ios::trunc) << j.dump(2);
  }

  fs::path dir_;
  std::optional<Model> model_;
};

TEST_F(InputProfileFolder, RoundTripsExactly) {
  const auto loaded = LoadModel(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const auto& a = *model_->metadata().input_profile;
  const auto& b = loaded->metadata().input_profile;
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->rows, a.rows);
  for (int f = 0; f < kNumUserFeatures; ++f) {
    EXPECT_EQ(b->features[f].edges, a.features[f].edges) << FeatureNames()[f];
    EXPECT_EQ(b->features[f].proportions, a.features[f].proportions) << FeatureNames()[f];
    EXPECT_EQ(b->features[f].mean, a.features[f].mean) << FeatureNames()[f];
  }
  const auto j = nlohmann::json::parse(Slurp(dir_ / kModelJsonName));
  EXPECT_EQ(j.at("format_version"), 1);
  EXPECT_EQ(j.at("input_profile").at("features").at(12).at("name"), "age_std");
}

TEST_F(InputProfileFolder, FolderWithoutProfileStillLoads) {
  EditJson([](nlohmann::json& j) { j.erase("input_profile"); });
  const auto loaded = LoadModel(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_FALSE(loaded->metadata().input_profile.has_value());
}

TEST_F(InputProfileFolder, DamagedProfileIsDataLoss) {
  const std::vector<std::function<void(nlohmann::json&)>> edits = {
      [](nlohmann::json& j) { j["input_profile"]["features"][2]["proportions"][0] = 0.9; },
      [](nlohmann::json& j) { j["input_profile"]["features"][0]["name"] = "budget"; },
      [](nlohmann::json& j) { j["input_profile"]["features"].erase(12); },
      [](nlohmann::json& j) {
        j["input_profile"]["features"][3]["edges"] = {5, 4};
      },
      [](nlohmann::json& j) { j["input_profile"]["features"][3]["mean"] = "x"; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    ASSERT_TRUE(SaveModel(*model_, dir_).ok());
    EditJson(edits[i]);
    const auto loaded = LoadModel(dir_);
    ASSERT_FALSE(loaded.ok()) << "edit " << i;
    EXPECT_EQ(loaded.error().code, ErrorCode::kDataLoss) << loaded.error().message;
    EXPECT_NE(loaded.error().message.find("input_profile"), std::string::npos)
        << loaded.error().message;
  }
}

}  // namespace
}  // namespace mlprod::ml
