// Domain records shared by the data generator, the ML feature pipeline, the store and the API:
// one user's trip request and one location, with the columns of the reference schema (SPEC §5).
// Plain values; no behaviour beyond derived age statistics.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace mlprod {

struct User {
  std::int64_t user_id = 0;   // assigned by the store
  std::string creation_time;  // ISO-8601 UTC, assigned by the store
  std::string name;
  int people_num = 1;
  int children_num = 0;
  double age_avg = 0;
  double age_std = 0;  // population standard deviation
  int age_min = 0;
  int age_max = 0;
  double budget = 0;
  int nights = 1;
  std::string time_arrival;  // YYYY-MM-DD
  bool pool = false;
  bool spa = false;
  bool pet_friendly = false;
  bool lake = false;
  bool mountain = false;
  bool sport = false;
};

// Sets people_num, age_avg, age_std (population), age_min and age_max from the ages.
// ages must not be empty.
void SetAges(User& user, std::span<const int> ages);

struct Location {
  std::int64_t location_id = 0;  // 1-based row number of the locations data set
  std::string creation_time;
  double lat = 0;
  double lon = 0;
  bool children = false;
  bool breakfast = false;
  bool lunch = false;
  bool dinner = false;
  double price = 0;
  bool has_pool = false;
  bool has_spa = false;
  bool animals = false;
  bool near_lake = false;
  bool near_mountains = false;
  bool has_sport = false;
  double family_rating = 0;
  double outdoor_rating = 0;
  double food_rating = 0;
  double leisure_rating = 0;
  double service_rating = 0;
  double user_score = 0;
};

}  // namespace mlprod
