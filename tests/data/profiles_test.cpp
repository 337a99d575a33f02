#include "data/profiles.h"

#include <gtest/gtest.h>

#include "data/test_util.h"

namespace mlprod::data {
namespace {

using testing::ConfigDir;

const char kHeader[] = "meta_comment\tmeta_n\tpeople_min\tpeople_max\tspa_thr\n";

Result<std::vector<UserProfile>> ParseUsers(const std::string& text) {
  auto table = ParseTsv(text, "u.tsv");
  if (!table.ok()) return table.error();
  return ParseUserProfiles(*table, "u.tsv");
}

TEST(Profiles, ReadsTheShippedUserTable) {
  auto profiles = ReadUserProfiles(ConfigDir() / "user.tsv");
  ASSERT_TRUE(profiles.ok()) << profiles.error().message;
  ASSERT_EQ(profiles->size(), 10u);
  int total = 0;
  for (const auto& p : *profiles) total += p.meta_n;
  EXPECT_EQ(total, 170);
  const UserProfile& family = (*profiles)[1];
  EXPECT_EQ(family.meta_comment, "Family");
  EXPECT_EQ(family.meta_n, 20);
  EXPECT_EQ(family.people_min, 2);
  EXPECT_EQ(family.people_max, 5);
  EXPECT_EQ(family.minor_age, 17);
  EXPECT_DOUBLE_EQ(family.budget_max, 500);
  EXPECT_DOUBLE_EQ(family.pool_thr, 0.7);
  EXPECT_DOUBLE_EQ(family.ignore_tolerance, 0.9);
  // Not in the table: the reference default.
  EXPECT_EQ(family.start_date_tolerance_max, 30);
}

TEST(Profiles, ReadsTheShippedLocationAndNoiseTables) {
  auto locations = ReadLocationProfiles(ConfigDir() / "location.tsv");
  ASSERT_TRUE(locations.ok()) << locations.error().message;
  ASSERT_EQ(locations->size(), 10u);
  int total = 0;
  for (const auto& p : *locations) total += p.meta_n;
  EXPECT_EQ(total, 210);
  EXPECT_EQ((*locations)[0].meta_comment, "Zurich");
  EXPECT_DOUBLE_EQ((*locations)[0].price_max, 3000);
  EXPECT_FALSE((*locations)[0].lat.has_value());

  auto noise = ReadUserProfiles(ConfigDir() / "user_noise.tsv");
  ASSERT_TRUE(noise.ok()) << noise.error().message;
  ASSERT_EQ(noise->size(), 1u);
  EXPECT_DOUBLE_EQ((*noise)[0].budget_tolerance, 1.2);
  EXPECT_DOUBLE_EQ((*noise)[0].weight_mountains, 0.8);
  EXPECT_DOUBLE_EQ((*noise)[0].weight_sport, 0.1);
}

TEST(Profiles, OmittedColumnsTakeTheReferenceDefaults) {
  auto p = ParseUsers(std::string(kHeader) + "Solo\t3\t1\t2\t0.25\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)[0].meta_n, 3);
  EXPECT_DOUBLE_EQ((*p)[0].spa_thr, 0.25);
  EXPECT_DOUBLE_EQ((*p)[0].pool_thr, 0.5);
  EXPECT_EQ((*p)[0].minor_age, 18);
  EXPECT_DOUBLE_EQ((*p)[0].ignore_tolerance, 0.99);
}

TEST(Profiles, RejectsAnUnknownColumnByName) {
  auto p = ParseUsers("meta_comment\tmeta_n\tpool_th\nSolo\t3\t0.5\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("unknown column 'pool_th'"), std::string::npos)
      << p.error().message;
}

TEST(Profiles, RejectsDuplicateAndMissingRequiredColumns) {
  auto dup = ParseUsers("meta_comment\tmeta_n\tmeta_n\nSolo\t3\t3\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("duplicate column 'meta_n'"), std::string::npos);
  auto missing = ParseUsers("meta_comment\tpeople_min\nSolo\t3\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing required column 'meta_n'"), std::string::npos);
}

TEST(Profiles, NamesFileRowProfileAndColumnOfABadNumber) {
  auto p = ParseUsers(std::string(kHeader) + "Solo\t3\t1\t2\t0.5\nDuo\t3\ttwo\t3\t0.5\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(p.error().message, "u.tsv: row 2 ('Duo'), column people_min: not an integer: 'two'");
}

TEST(Profiles, RejectsProbabilitiesOutsideZeroOne) {
  auto p = ParseUsers(std::string(kHeader) + "Solo\t3\t1\t2\t1.5\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "u.tsv: row 1 ('Solo'), column spa_thr: must be in [0, 1], got 1.5");
}

TEST(Profiles, RejectsRangesWhoseMaxIsBelowTheMin) {
  auto p = ParseUsers(std::string(kHeader) + "Solo\t3\t4\t2\t0.5\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "u.tsv: row 1 ('Solo'), column people_max: 2 is below people_min 4");
}

TEST(Profiles, RejectsNonFiniteNumbersAndNegativeCounts) {
  auto inf = ParseUsers(std::string(kHeader) + "Solo\t3\t1\t2\tinf\n");
  ASSERT_FALSE(inf.ok());
  EXPECT_NE(inf.error().message.find("not a finite number"), std::string::npos);
  auto negative = ParseUsers(std::string(kHeader) + "Solo\t-1\t1\t2\t0.5\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("column meta_n: must be >= 0"), std::string::npos);
}

TEST(Profiles, RejectsATableWithoutRows) {
  auto p = ParseUsers(kHeader);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "u.tsv: no profile rows");
}

TEST(Profiles, LocationCoordinatesMustComeInPairs) {
  auto table = ParseTsv("meta_comment\tmeta_n\tlat\nX\t1\t46\n", "l.tsv");
  ASSERT_TRUE(table.ok());
  auto p = ParseLocationProfiles(*table, "l.tsv");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("lat and lon must be given together"), std::string::npos);
}

TEST(Profiles, MissingFileIsNotFound) {
  auto p = ReadUserProfiles("/nonexistent/user.tsv");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kNotFound);
  EXPECT_NE(p.error().message.find("/nonexistent/user.tsv"), std::string::npos);
}

}  // namespace
}  // namespace mlprod::data
