// Draws synthetic users and locations from their profiles (SPEC §7). Not the data set writer
// (dataset.h) nor the labeller (labeller.h). Pure functions of (profile, Rng); the Rng is the only
// state, so calls are thread-safe with one Rng per thread.
#pragma once

#include <chrono>
#include <vector>

#include "common/records.h"
#include "data/profiles.h"
#include "data/random.h"

namespace mlprod::data {

// A trip request as a client sends it (the API's UserData): the User record plus the individual
// ages, which User keeps only as statistics. user_id and creation_time stay unset.
struct UserData {
  User user;
  std::vector<int> people_age;
};

// people_num uniform in [people_min, people_max) (people_min when equal), each age uniform in
// [age_min, age_max), children_num 1 when minor_age > 0 and an age is below it, budget uniform in
// [budget_min, budget_max), nights uniform in [nights_min, nights_max), arrival = start + uniform
// [start_date_tolerance_min, start_date_tolerance_max) days, wishes Bernoulli(*_thr).
// name = the profile's meta_comment.
UserData GenerateUser(const UserProfile& profile, std::chrono::sys_days start, Rng& rng);

// Booleans Bernoulli(threshold_*), price and ratings uniform in [min, max); lat/lon near the
// city's centre (the profile's lat/lon columns, else CityCentre(meta_comment), else the middle of
// Switzerland). location_id and creation_time stay unset.
Location GenerateLocation(const LocationProfile& profile, Rng& rng);

}  // namespace mlprod::data
