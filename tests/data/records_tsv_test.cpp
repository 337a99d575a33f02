#include "data/records_tsv.h"

#include <gtest/gtest.h>

#include <limits>

#include "data/test_util.h"

namespace mlprod::data {
namespace {

TEST(FormatDouble, RoundTripsExactly) {
  for (double v : {0.1, 1.0 / 3, 360.98531238960027, 1e-300, 1.7976931348623157e308, -2.5, 0.0,
                   std::numeric_limits<double>::denorm_min()}) {
    auto parsed = ParseDouble(FormatDouble(v));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, v) << FormatDouble(v);
  }
  EXPECT_EQ(FormatDouble(3.0), "3");
}

TEST(UsersTsv, RoundTripsEveryUserField) {
  UserData d;
  d.user.name = "Family";
  d.people_age = {40, 38, 7};
  SetAges(d.user, d.people_age);
  d.user.children_num = 1;
  d.user.budget = 432.10987654321;
  d.user.nights = 4;
  d.user.time_arrival = "2026-01-17";
  d.user.pool = d.user.lake = d.user.sport = true;
  const TsvTable table = UsersToTsv(std::vector<UserData>{d, d});
  EXPECT_EQ(table.rows[0][table.Column("people_age")], "40,38,7");
  auto users = ParseUsersTsv(table, "users.tsv");
  ASSERT_TRUE(users.ok()) << users.error().message;
  ASSERT_EQ(users->size(), 2u);
  const User& u = (*users)[1];
  EXPECT_EQ(u.user_id, 2);
  EXPECT_EQ(u.name, "Family");
  EXPECT_EQ(u.people_num, 3);
  EXPECT_EQ(u.children_num, 1);
  EXPECT_EQ(u.age_avg, d.user.age_avg);
  EXPECT_EQ(u.age_std, d.user.age_std);
  EXPECT_EQ(u.age_min, 7);
  EXPECT_EQ(u.age_max, 40);
  EXPECT_EQ(u.budget, d.user.budget);
  EXPECT_EQ(u.nights, 4);
  EXPECT_EQ(u.time_arrival, "2026-01-17");
  EXPECT_TRUE(u.pool && u.lake && u.sport);
  EXPECT_FALSE(u.spa || u.pet_friendly || u.mountain);
}

TEST(LocationsTsv, RoundTripsEveryLocationField) {
  Location l;
  l.lat = 46.00123456789;
  l.lon = 8.95;
  l.children = l.dinner = l.has_spa = l.near_mountains = true;
  l.price = 1863.0666967112575;
  l.family_rating = 0.1;
  l.outdoor_rating = 0.2;
  l.food_rating = 0.3;
  l.leisure_rating = 0.4;
  l.service_rating = 0.5;
  l.user_score = 0.6;
  auto back = ParseLocationsTsv(LocationsToTsv(std::vector<Location>{l}), "loc.tsv");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 1u);
  const Location& r = (*back)[0];
  EXPECT_EQ(r.location_id, 1);
  EXPECT_EQ(r.lat, l.lat);
  EXPECT_EQ(r.lon, l.lon);
  EXPECT_EQ(r.price, l.price);
  EXPECT_TRUE(r.children && r.dinner && r.has_spa && r.near_mountains);
  EXPECT_FALSE(r.breakfast || r.lunch || r.has_pool || r.animals || r.near_lake || r.has_sport);
  EXPECT_EQ(r.family_rating, 0.1);
  EXPECT_EQ(r.outdoor_rating, 0.2);
  EXPECT_EQ(r.food_rating, 0.3);
  EXPECT_EQ(r.leisure_rating, 0.4);
  EXPECT_EQ(r.service_rating, 0.5);
  EXPECT_EQ(r.user_score, 0.6);
}

// The reference writes pandas booleans and neither ids nor coordinates.
constexpr char kReferenceLocations[] =
    "children\tbreakfast\tlunch\tdinner\tprice\thas_pool\thas_spa\tanimals\tnear_lake\t"
    "near_mountains\thas_sport\tfamily_rating\toutdoor_rating\tfood_rating\tleisure_rating\t"
    "service_rating\tuser_score\n"
    "True\tFalse\tTrue\tTrue\t2162.3\tFalse\tTrue\tFalse\tFalse\tFalse\tTrue\t0.5\t0.9\t1.2\t"
    "3.3\t4.1\t2.5\n"
    "False\tTrue\tTrue\tTrue\t400\tTrue\tTrue\tTrue\tTrue\tFalse\tTrue\t1.5\t1.9\t2.2\t3.1\t0.1\t"
    "3\n";

TEST(LocationsTsv, ReadsReferenceFilesWithoutIdsOrCoordinates) {
  auto table = ParseTsv(kReferenceLocations, "ref.tsv");
  ASSERT_TRUE(table.ok());
  auto locations = ParseLocationsTsv(*table, "ref.tsv");
  ASSERT_TRUE(locations.ok()) << locations.error().message;
  ASSERT_EQ(locations->size(), 2u);
  EXPECT_EQ((*locations)[1].location_id, 2);
  EXPECT_TRUE((*locations)[0].children);
  EXPECT_FALSE((*locations)[0].breakfast);
  EXPECT_EQ((*locations)[1].price, 400);
  EXPECT_EQ((*locations)[1].lat, 0);
}

TEST(LocationsTsv, NamesRowAndColumnOfABadCell) {
  std::string text = kReferenceLocations;
  text.replace(text.find("True\tFalse\tTrue"), 4, "yes!");
  auto table = ParseTsv(text, "ref.tsv");
  ASSERT_TRUE(table.ok());
  auto locations = ParseLocationsTsv(*table, "ref.tsv");
  ASSERT_FALSE(locations.ok());
  EXPECT_EQ(locations.error().message,
            "ref.tsv: row 1, column children: not a boolean (0/1/true/false): 'yes!'");
}

TEST(LocationsTsv, RejectsMissingColumnsAndDuplicateIds) {
  auto missing = ParseTsv("location_id\tprice\n1\t3\n", "l.tsv");
  ASSERT_TRUE(missing.ok());
  auto a = ParseLocationsTsv(*missing, "l.tsv");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, "l.tsv: missing column 'children'");

  TsvTable twice = LocationsToTsv(std::vector<Location>(2));
  twice.rows[1][0] = "1";
  auto b = ParseLocationsTsv(twice, "l.tsv");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "l.tsv: row 2, column location_id: must be a unique positive id");
}

TEST(UsersTsv, RejectsAnInvalidArrivalDate) {
  UserData d;
  d.people_age = {30};
  SetAges(d.user, d.people_age);
  d.user.time_arrival = "2026-02-30";
  auto users = ParseUsersTsv(UsersToTsv(std::vector<UserData>{d}), "u.tsv");
  ASSERT_FALSE(users.ok());
  EXPECT_NE(users.error().message.find("u.tsv: row 1, column time_arrival: invalid date"),
            std::string::npos)
      << users.error().message;
}

TEST(UsersTsv, ReadsTheReferencesUsersFileDerivingAgesAndIds) {
  // The reference's dataset_users.tsv columns: no user_id, people_age in place of the age stats.
  const char* text =
      "name\tpeople_num\tpeople_age\tchildren_num\tbudget\tnights\ttime_arrival\tpool\tspa"
      "\tpet_friendly\tlake\tmountain\tsport\n"
      "family\t3\t[40, 38, 7]\t1\t900.5\t5\t2026-01-12\tTrue\tFalse\tFalse\tTrue\tFalse"
      "\tFalse\n"
      "solo\t1\t[66]\t0\t120.0\t2\t2026-01-03\tFalse\tFalse\tTrue\tFalse\tTrue\tTrue\n";
  auto table = ParseTsv(text, "ref_users.tsv");
  ASSERT_TRUE(table.ok());
  auto users = ParseUsersTsv(*table, "ref_users.tsv");
  ASSERT_TRUE(users.ok()) << users.error().message;
  ASSERT_EQ(users->size(), 2u);
  const User& family = (*users)[0];
  EXPECT_EQ(family.user_id, 1);
  EXPECT_EQ((*users)[1].user_id, 2);
  EXPECT_EQ(family.people_num, 3);
  EXPECT_EQ(family.age_min, 7);
  EXPECT_EQ(family.age_max, 40);
  EXPECT_DOUBLE_EQ(family.age_avg, 85.0 / 3.0);
  EXPECT_TRUE(family.pool);
  EXPECT_EQ((*users)[1].age_std, 0.0);

  std::string bad = text;
  bad.replace(bad.find("[66]"), 4, "[]");
  auto bad_table = ParseTsv(bad, "ref_users.tsv");
  ASSERT_TRUE(bad_table.ok());
  auto rejected = ParseUsersTsv(*bad_table, "ref_users.tsv");
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.error().message.find("ref_users.tsv: row 2, column people_age: not a list"),
            std::string::npos)
      << rejected.error().message;
}

TEST(LocationsTsv, MissingFileIsNotFound) {
  auto l = ReadLocationsTsv("/nonexistent/dataset_locations.tsv");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mlprod::data
