#include "data/labeller.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mlprod::data {
namespace {

// A profile with no tolerances to trip and unit weights, and a location every user accepts.
UserProfile Lenient() {
  UserProfile p;
  p.family_tolerance = 0;
  return p;
}
User Traveller() {
  User u;
  u.budget = 100;
  return u;
}
Location Place(double price = 50) {
  Location l;
  l.price = price;
  l.family_rating = 1;
  l.service_rating = 2;
  l.outdoor_rating = 3;
  l.food_rating = 4;
  l.leisure_rating = 5;
  l.user_score = 6;
  return l;
}

TEST(ScoreLocation, RejectsPricesAboveTheToleratedBudget) {
  UserProfile p = Lenient();
  EXPECT_EQ(ScoreLocation(p, Traveller(), Place(100.5)), 0);
  EXPECT_GT(ScoreLocation(p, Traveller(), Place(100)), 0);
  p.budget_tolerance = 0.1;
  EXPECT_GT(ScoreLocation(p, Traveller(), Place(109)), 0);
  EXPECT_EQ(ScoreLocation(p, Traveller(), Place(111)), 0);
}

TEST(ScoreLocation, AddsWeightedRatingsAndMetWishes) {
  UserProfile p = Lenient();
  p.weight_score_facilities = 2;
  p.weight_score_environment = 3;
  p.weight_score_users = 0.5;
  User u = Traveller();
  u.spa = u.pool = u.lake = true;
  Location l = Place();
  l.has_spa = true;    // facilities met: spa (1), not pool
  l.near_lake = true;  // environment met: lake (1)
  // 2·(1 + 2 + 1) + 3·(3 + 4 + 5 + 1) + 0.5·6
  EXPECT_DOUBLE_EQ(ScoreLocation(p, u, l), 8 + 39 + 3);
}

TEST(ScoreLocation, RejectsWhenTheWeightedFacilitiesShareIsTooLow) {
  UserProfile p = Lenient();
  p.facilities_tolerance = 0.5;
  p.weight_spa = 3;
  User u = Traveller();
  u.spa = u.pool = true;
  Location only_pool = Place();
  only_pool.has_pool = true;  // share 1/4
  Location only_spa = Place();
  only_spa.has_spa = true;  // share 3/4
  EXPECT_EQ(ScoreLocation(p, u, only_pool), 0);
  EXPECT_GT(ScoreLocation(p, u, only_spa), 0);
}

TEST(ScoreLocation, RejectsWhenTheEnvironmentShareIsTooLow) {
  UserProfile p = Lenient();
  p.environment_tolerance = 1.0;
  User u = Traveller();
  u.lake = u.mountain = true;
  Location lake = Place();
  lake.near_lake = true;
  Location both = lake;
  both.near_mountains = true;
  EXPECT_EQ(ScoreLocation(p, u, lake), 0);
  EXPECT_GT(ScoreLocation(p, u, both), 0);
}

TEST(ScoreLocation, SportCountsAsFacilityAndEnvironment) {
  UserProfile p = Lenient();
  User u = Traveller();
  u.sport = true;
  Location with = Place();
  with.has_sport = true;
  // Sport met adds its weight once to each group: +1 facilities, +1 environment.
  EXPECT_DOUBLE_EQ(ScoreLocation(p, u, with) - ScoreLocation(p, u, Place()), 2.0);
  p.facilities_tolerance = 1.0;
  EXPECT_EQ(ScoreLocation(p, u, Place()), 0);
}

TEST(ScoreLocation, FamiliesRejectPlacesBelowTheFamilyTolerance) {
  UserProfile p = Lenient();
  p.family_tolerance = 1.5;
  User family = Traveller();
  family.children_num = 1;
  EXPECT_EQ(ScoreLocation(p, family, Place()), 0);  // family_rating 1
  EXPECT_GT(ScoreLocation(p, Traveller(), Place()), 0);
}

TEST(DecidePick, NoPickWhenNothingIsAcceptable) {
  UserProfile p = Lenient();
  p.ignore_tolerance = 1;
  const std::vector<Location> all_too_expensive(5, Place(1000));
  Rng rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(DecidePick(p, Traveller(), all_too_expensive, rng), -1);
}

TEST(DecidePick, ExploitingPicksTheBestFirstOnTies) {
  UserProfile p = Lenient();
  p.ignore_tolerance = 1;
  p.exploration_tolerance = 0;
  std::vector<Location> list = {Place(), Place(), Place(), Place()};
  list[1].user_score = list[3].user_score = 50;
  Rng rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(DecidePick(p, Traveller(), list, rng), 1);
}

TEST(DecidePick, IgnoresTheListAtOneMinusIgnoreTolerance) {
  UserProfile p = Lenient();
  p.ignore_tolerance = 0.9;
  const std::vector<Location> list(3, Place());
  Rng rng(2);
  constexpr int kN = 20000;
  int ignored = 0;
  for (int i = 0; i < kN; ++i) ignored += DecidePick(p, Traveller(), list, rng) == -1;
  EXPECT_NEAR(ignored, 0.1 * kN, 4 * std::sqrt(kN * 0.1 * 0.9));
}

TEST(DecidePick, ExploringDrawsInProportionToScore) {
  UserProfile p = Lenient();
  p.ignore_tolerance = 1;
  p.exploration_tolerance = 1;
  std::vector<Location> list = {Place(), Place(1000), Place()};
  list[2].user_score = 27;  // scores 21, 0, 42
  Rng rng(3);
  constexpr int kN = 30000;
  int counts[3] = {};
  for (int i = 0; i < kN; ++i) ++counts[DecidePick(p, Traveller(), list, rng)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2], kN * 2.0 / 3, 4 * std::sqrt(kN * 2.0 / 9));
  EXPECT_EQ(LabelLocations(p, Traveller(), list, rng).size(), 3u);
}

TEST(LabelLocations, MarksAtMostOnePick) {
  UserProfile p = Lenient();
  p.ignore_tolerance = 1;
  const std::vector<Location> list(4, Place());
  Rng rng(4);
  for (int i = 0; i < 50; ++i) {
    const auto labels = LabelLocations(p, Traveller(), list, rng);
    int ones = 0;
    for (int l : labels) ones += l;
    EXPECT_EQ(ones, 1);
  }
}

}  // namespace
}  // namespace mlprod::data
