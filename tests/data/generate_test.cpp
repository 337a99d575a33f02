#include "data/generate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/time_util.h"
#include "data/coordinates.h"
#include "data/test_util.h"

namespace mlprod::data {
namespace {

using std::chrono::sys_days;
constexpr int kDraws = 4000;

// Mean of the uniform draw and the 4-sigma band of a sample mean of kDraws draws.
void ExpectUniformMean(double sum, double lo, double hi, const std::string& what) {
  const double mean = (lo + hi) / 2, sd = (hi - lo) / std::sqrt(12.0);
  EXPECT_NEAR(sum / kDraws, mean, 4 * sd / std::sqrt(kDraws) + 1e-12) << what;
}
void ExpectRate(int hits, double p, const std::string& what) {
  EXPECT_NEAR(hits, p * kDraws, 4 * std::sqrt(kDraws * p * (1 - p)) + 1e-9) << what;
}
// Integers uniform in [lo, hi) have the mean and variance of a discrete uniform on hi - lo values.
void ExpectIntMean(double sum, int lo, int hi, const std::string& what) {
  const double n = hi - lo, mean = lo + (n - 1) / 2, sd = std::sqrt((n * n - 1) / 12);
  EXPECT_NEAR(sum / kDraws, mean, 4 * sd / std::sqrt(kDraws) + 1e-12) << what;
}

TEST(GenerateUser, MarginalsMatchEveryShippedProfile) {
  auto profiles = ReadUserProfiles(testing::ConfigDir() / "user.tsv");
  ASSERT_TRUE(profiles.ok()) << profiles.error().message;
  auto noise = ReadUserProfiles(testing::ConfigDir() / "user_noise.tsv");
  ASSERT_TRUE(noise.ok()) << noise.error().message;
  profiles->insert(profiles->end(), noise->begin(), noise->end());
  const sys_days start = *ParseDate("2026-01-01");
  Rng rng(11);
  for (const UserProfile& p : *profiles) {
    const std::string name = p.meta_comment;
    double people = 0, budget = 0, nights = 0, offset = 0;
    int spa = 0, pool = 0, pet = 0, lake = 0, mountain = 0, sport = 0;
    for (int i = 0; i < kDraws; ++i) {
      const UserData d = GenerateUser(p, start, rng);
      const User& u = d.user;
      ASSERT_EQ(u.name, name);
      ASSERT_EQ(static_cast<int>(d.people_age.size()), u.people_num);
      if (p.people_min < p.people_max) {
        ASSERT_GE(u.people_num, p.people_min) << name;
        ASSERT_LT(u.people_num, p.people_max) << name;
      } else {
        ASSERT_EQ(u.people_num, p.people_min) << name;
      }
      bool minor = false;
      for (int age : d.people_age) {
        ASSERT_GE(age, p.age_min) << name;
        ASSERT_LT(age, p.age_max) << name;
        minor |= age < p.minor_age;
      }
      ASSERT_EQ(u.children_num, p.minor_age > 0 && minor ? 1 : 0) << name;
      ASSERT_GE(u.budget, p.budget_min) << name;
      ASSERT_LT(u.budget, p.budget_max) << name;
      ASSERT_GE(u.nights, p.nights_min) << name;
      ASSERT_LT(u.nights, p.nights_max) << name;
      const int days = static_cast<int>((*ParseDate(u.time_arrival) - start).count());
      ASSERT_GE(days, 1) << name;
      ASSERT_LT(days, 30) << name;
      people += u.people_num;
      budget += u.budget;
      nights += u.nights;
      offset += days;
      spa += u.spa, pool += u.pool, pet += u.pet_friendly;
      lake += u.lake, mountain += u.mountain, sport += u.sport;
    }
    if (p.people_min < p.people_max) ExpectIntMean(people, p.people_min, p.people_max, name);
    ExpectUniformMean(budget, p.budget_min, p.budget_max, name + " budget");
    ExpectIntMean(nights, p.nights_min, p.nights_max, name + " nights");
    ExpectIntMean(offset, 1, 30, name + " arrival");
    ExpectRate(spa, p.spa_thr, name + " spa");
    ExpectRate(pool, p.pool_thr, name + " pool");
    ExpectRate(pet, p.pet_friendly_thr, name + " pet");
    ExpectRate(lake, p.lakes_thr, name + " lake");
    ExpectRate(mountain, p.mountains_thr, name + " mountain");
    ExpectRate(sport, p.sport_thr, name + " sport");
  }
}

TEST(GenerateUser, AgeStatisticsDescribeTheDrawnAges) {
  UserProfile p;
  p.people_min = 3;
  p.people_max = 4;
  p.age_min = 10;
  p.age_max = 60;
  Rng rng(5);
  const UserData d = GenerateUser(p, *ParseDate("2026-01-01"), rng);
  ASSERT_EQ(d.people_age.size(), 3u);
  const auto& a = d.people_age;
  const double mean = (a[0] + a[1] + a[2]) / 3.0;
  EXPECT_DOUBLE_EQ(d.user.age_avg, mean);
  EXPECT_NEAR(d.user.age_std,
              std::sqrt(((a[0] - mean) * (a[0] - mean) + (a[1] - mean) * (a[1] - mean) +
                         (a[2] - mean) * (a[2] - mean)) /
                        3),
              1e-12);
  EXPECT_EQ(d.user.age_min, std::min({a[0], a[1], a[2]}));
  EXPECT_EQ(d.user.age_max, std::max({a[0], a[1], a[2]}));
}

TEST(GenerateLocation, MarginalsMatchEveryShippedProfile) {
  auto profiles = ReadLocationProfiles(testing::ConfigDir() / "location.tsv");
  ASSERT_TRUE(profiles.ok()) << profiles.error().message;
  Rng rng(12);
  for (const LocationProfile& p : *profiles) {
    const std::string name = p.meta_comment;
    int flags[10] = {};
    double sums[6] = {};
    const std::pair<double, double> ranges[6] = {
        {p.price_min, p.price_max}, {p.family_min, p.family_max},   {p.outdoor_min, p.outdoor_max},
        {p.food_min, p.food_max},   {p.leisure_min, p.leisure_max}, {p.service_min, p.service_max}};
    const auto centre = CityCentre(name);
    ASSERT_TRUE(centre.has_value()) << name;
    for (int i = 0; i < kDraws; ++i) {
      const Location l = GenerateLocation(p, rng);
      const bool b[10] = {l.children, l.breakfast, l.lunch,     l.dinner,         l.has_pool,
                          l.has_spa,  l.animals,   l.near_lake, l.near_mountains, l.has_sport};
      for (int k = 0; k < 10; ++k) flags[k] += b[k];
      const double v[6] = {l.price,       l.family_rating,  l.outdoor_rating,
                           l.food_rating, l.leisure_rating, l.service_rating};
      for (int k = 0; k < 6; ++k) {
        ASSERT_GE(v[k], ranges[k].first) << name << " field " << k;
        ASSERT_LT(v[k], ranges[k].second) << name << " field " << k;
        sums[k] += v[k];
      }
      ASSERT_GE(l.user_score, p.score_min);
      ASSERT_LT(l.user_score, p.score_max);
      ASSERT_NEAR(l.lat, centre->lat, 0.05) << name;
      ASSERT_NEAR(l.lon, centre->lon, 0.05) << name;
    }
    const double thresholds[10] = {p.threshold_child,   p.threshold_breakfast, p.threshold_lunch,
                                   p.threshold_dinner,  p.threshold_pool,      p.threshold_spa,
                                   p.threshold_animals, p.threshold_lake,      p.threshold_mountain,
                                   p.threshold_sport};
    for (int k = 0; k < 10; ++k)
      ExpectRate(flags[k], thresholds[k], name + " flag " + std::to_string(k));
    for (int k = 0; k < 6; ++k) {
      ExpectUniformMean(sums[k], ranges[k].first, ranges[k].second,
                        name + " range " + std::to_string(k));
    }
  }
}

TEST(GenerateLocation, ExplicitCoordinatesWinAndUnknownPlacesFallInSwitzerland) {
  LocationProfile placed;
  placed.meta_comment = "Somewhere";
  placed.lat = 10.0;
  placed.lon = 20.0;
  LocationProfile unknown;
  unknown.meta_comment = "Atlantis";
  Rng rng(3);
  for (int i = 0; i < 100; ++i) {
    const Location a = GenerateLocation(placed, rng);
    EXPECT_NEAR(a.lat, 10.0, 0.05);
    EXPECT_NEAR(a.lon, 20.0, 0.05);
    const Location b = GenerateLocation(unknown, rng);
    EXPECT_NEAR(b.lat, kSwitzerlandCentre.lat, 0.5);
    EXPECT_NEAR(b.lon, kSwitzerlandCentre.lon, 0.5);
  }
}

TEST(CityCentre, KnowsTheReferenceCitiesInSeveralSpellings) {
  ASSERT_TRUE(CityCentre("Zurich").has_value());
  EXPECT_NEAR(CityCentre("Zurich")->lat, 47.37, 0.01);
  EXPECT_EQ(CityCentre("GENEVE")->lon, CityCentre("Genève")->lon);
  EXPECT_EQ(CityCentre("Coira")->lat, CityCentre("chur")->lat);
  EXPECT_FALSE(CityCentre("Atlantis").has_value());
}

}  // namespace
}  // namespace mlprod::data
