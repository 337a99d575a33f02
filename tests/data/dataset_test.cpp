#include "data/dataset.h"

#include <gtest/gtest.h>

#include "data/records_tsv.h"
#include "data/test_util.h"

namespace mlprod::data {
namespace {

using testing::ReadFile;
using testing::TempDir;

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto users = ReadUserProfiles(testing::ConfigDir() / "user.tsv");
    ASSERT_TRUE(users.ok()) << users.error().message;
    auto locations = ReadLocationProfiles(testing::ConfigDir() / "location.tsv");
    ASSERT_TRUE(locations.ok()) << locations.error().message;
    users_ = *users;
    locations_ = *locations;
  }

  Dataset Generate(std::uint64_t seed) {
    DatasetOptions options;
    options.seed = seed;
    auto d = GenerateDataset(users_, locations_, options);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? *d : Dataset{};
  }

  std::vector<UserProfile> users_;
  std::vector<LocationProfile> locations_;
};

TEST_F(DatasetTest, ShippedTablesGiveTheReferenceRowCounts) {
  TempDir dir;
  ASSERT_TRUE(WriteDataset(Generate(42), dir.path()).ok());
  auto users = ReadUsersTsv(dir.path() / "dataset_users.tsv");
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_EQ(users->size(), 170u);
  auto locations = ReadLocationsTsv(dir.path() / "dataset_locations.tsv");
  ASSERT_TRUE(locations.ok()) << locations.error().message;
  EXPECT_EQ(locations->size(), 210u);
  EXPECT_EQ(locations->back().location_id, 210);
  auto labelled = ReadTsv(dir.path() / "dataset_labelled.tsv");
  ASSERT_TRUE(labelled.ok()) << labelled.error().message;
  EXPECT_EQ(labelled->rows.size(), 10000u);
}

TEST_F(DatasetTest, SameSeedWritesTheSameBytesAndAnotherSeedDoesNot) {
  TempDir a, b, c;
  ASSERT_TRUE(WriteDataset(Generate(42), a.path()).ok());
  ASSERT_TRUE(WriteDataset(Generate(42), b.path()).ok());
  ASSERT_TRUE(WriteDataset(Generate(43), c.path()).ok());
  for (const char* name : {"dataset_users.tsv", "dataset_locations.tsv", "dataset_labelled.tsv"}) {
    const std::string bytes = ReadFile(a.path() / name);
    ASSERT_FALSE(bytes.empty()) << name;
    EXPECT_EQ(bytes, ReadFile(b.path() / name)) << name;
    EXPECT_NE(bytes, ReadFile(c.path() / name)) << name;
  }
}

TEST_F(DatasetTest, LabelledHeaderIsTheThirtyFeaturesThenLabel) {
  const TsvTable t = LabelledToTsv(Generate(42));
  const std::vector<std::string> expected = {"people_num",     "children_num",   "budget",
                                             "nights",         "pool",           "spa",
                                             "pet_friendly",   "lake",           "mountain",
                                             "sport",          "age_min",        "age_max",
                                             "age_std",        "children",       "breakfast",
                                             "lunch",          "dinner",         "price",
                                             "has_pool",       "has_spa",        "animals",
                                             "near_lake",      "near_mountains", "has_sport",
                                             "family_rating",  "outdoor_rating", "food_rating",
                                             "leisure_rating", "service_rating", "user_score",
                                             "label"};
  EXPECT_EQ(t.header, expected);
}

TEST_F(DatasetTest, LabelsAreBinaryAtMostOnePerUserAndNearTheReferenceRate) {
  for (std::uint64_t seed : {1, 42, 1234}) {
    const Dataset d = Generate(seed);
    ASSERT_EQ(d.rows.size(), 10000u);
    int positives = 0;
    for (std::size_t start = 0; start < d.rows.size(); start += 10) {
      int picks = 0;
      for (std::size_t i = start; i < start + 10; ++i) {
        ASSERT_TRUE(d.rows[i].label == 0 || d.rows[i].label == 1);
        ASSERT_EQ(d.rows[i].user, d.rows[start].user);
        picks += d.rows[i].label;
      }
      ASSERT_LE(picks, 1);
      positives += picks;
    }
    const double rate = positives / 10000.0;
    EXPECT_GE(rate, 0.05) << "seed " << seed;
    EXPECT_LE(rate, 0.15) << "seed " << seed;
  }
}

TEST_F(DatasetTest, LabelledRowsCarryTheirUserAndLocationFeatures) {
  const Dataset d = Generate(42);
  const TsvTable t = LabelledToTsv(d);
  for (std::size_t i : {0u, 4321u, 9999u}) {
    const auto expected = FeatureRow(d.users[d.rows[i].user].user, d.locations[d.rows[i].location]);
    for (std::size_t k = 0; k < ml::kNumFeatures; ++k) {
      auto v = ParseDouble(t.rows[i][k]);
      ASSERT_TRUE(v.ok());
      EXPECT_EQ(*v, expected[k]) << "row " << i << " column " << ml::FeatureNames()[k];
    }
  }
  EXPECT_EQ(d.users[0].user.name, "Single");
  EXPECT_EQ(d.users[0].user.user_id, 1);
  EXPECT_EQ(d.locations[209].location_id, 210);
}

TEST_F(DatasetTest, OptionsChangeTheShapeOfTheLabelledSet) {
  DatasetOptions options;
  options.users = 7;
  options.locations_per_user = 3;
  auto d = GenerateDataset(users_, locations_, options);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rows.size(), 21u);
}

TEST_F(DatasetTest, RejectsTablesThatYieldNoUsers) {
  for (auto& p : users_) p.meta_n = 0;
  auto d = GenerateDataset(users_, locations_, DatasetOptions{});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DatasetTest, WritingIntoAFileFailsWithAClearError) {
  TempDir dir;
  testing::WriteFile(dir.path() / "occupied", "x");
  const Status s = WriteDataset(Generate(42), dir.path() / "occupied");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("occupied"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace mlprod::data
