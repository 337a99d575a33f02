// Profile tables that drive the synthetic data (SPEC §7): one row per kind of user or location,
// read from TSV with clear errors. Not the generator itself (generate.h). Plain values; thread-safe
// to share once read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/tsv.h"

namespace mlprod::data {

// One kind of traveller and the simulated person behind it. Columns may be omitted from the table;
// an omitted column takes the default written here (the reference's defaults). Integer ranges are
// [min, max), float ranges [min, max), *_thr are Bernoulli probabilities.
struct UserProfile {
  std::string meta_comment;  // required: the profile's name
  int meta_n = 0;            // required: how many users of this kind the data set holds
  int people_min = 1;
  int people_max = 10;
  int age_min = 0;
  int age_max = 99;
  int minor_age = 18;  // an age below this means children; 0 disables the rule
  double budget_min = 50;
  double budget_max = 10000;
  int nights_min = 1;
  int nights_max = 14;
  double spa_thr = 0.5;
  double pool_thr = 0.5;
  double pet_friendly_thr = 0.5;
  double lakes_thr = 0.5;
  double mountains_thr = 0.5;
  double sport_thr = 0.5;
  // The simulated person's decision rules (labeller.h).
  double budget_tolerance = 0.0;
  double facilities_tolerance = 0.0;
  double environment_tolerance = 0.0;
  double family_tolerance = 1.0;
  double weight_spa = 1.0;
  double weight_pool = 1.0;
  double weight_pet = 1.0;
  double weight_lake = 1.0;
  double weight_mountains = 1.0;
  double weight_sport = 1.0;
  double weight_score_facilities = 1.0;
  double weight_score_environment = 1.0;
  double weight_score_users = 1.0;
  double exploration_tolerance = 0.5;
  double ignore_tolerance = 0.99;
  // Arrival = start date + uniform [min, max) days.
  int start_date_tolerance_min = 1;
  int start_date_tolerance_max = 30;
};

// One kind of location (a city). Omitted columns take the defaults written here.
struct LocationProfile {
  std::string meta_comment;  // required: the city; also selects its coordinates
  int meta_n = 0;            // required
  double threshold_child = 0.5;
  double threshold_breakfast = 0.5;
  double threshold_lunch = 0.5;
  double threshold_dinner = 0.5;
  double price_min = 50;
  double price_max = 500;
  double threshold_pool = 0.5;
  double threshold_spa = 0.5;
  double threshold_animals = 0.5;
  double threshold_lake = 0.5;
  double threshold_mountain = 0.5;
  double threshold_sport = 0.5;
  double family_min = 0.0;
  double family_max = 1.0;
  double outdoor_min = 0.0;
  double outdoor_max = 1.0;
  double food_min = 0.0;
  double food_max = 1.0;
  double leisure_min = 0.0;
  double leisure_max = 1.0;
  double service_min = 0.0;
  double service_max = 1.0;
  double score_min = 0.0;
  double score_max = 1.0;
  // Optional `lat`/`lon` columns place the city; otherwise coordinates.h knows it by name.
  std::optional<double> lat;
  std::optional<double> lon;
};

// Where the profile tables live when the user names no directory: `config` in the working
// directory when it exists, else the checkout's config/ compiled into the binary (so a built
// binary works from anywhere in the checkout).
std::filesystem::path DefaultConfigDir();
// The checkout's config/ as compiled into the binary.
std::filesystem::path SourceConfigDir();

// Reads and validates a profile table. Errors name the file, the row, the profile and the column:
// unknown or duplicate columns, missing meta_comment/meta_n, non-numeric cells, probabilities
// outside [0, 1], ranges with max < min, negative counts.
Result<std::vector<UserProfile>> ReadUserProfiles(const std::filesystem::path& path);
Result<std::vector<UserProfile>> ParseUserProfiles(const TsvTable& table, std::string_view source);
Result<std::vector<LocationProfile>> ReadLocationProfiles(const std::filesystem::path& path);
Result<std::vector<LocationProfile>> ParseLocationProfiles(const TsvTable& table,
                                                           std::string_view source);

}  // namespace mlprod::data
