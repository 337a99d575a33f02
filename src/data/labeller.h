// The simulated person behind a user profile (SPEC §7): scores locations by the profile's rules and
// decides which one, if any, the person picks. Used to label the synthetic data set and by the
// traffic simulator. Pure functions; the Rng is the only state (one per thread).
#pragma once

#include <span>
#include <vector>

#include "common/records.h"
#include "data/profiles.h"
#include "data/random.h"

namespace mlprod::data {

// 0 when the location is unacceptable: price above budget·(1 + budget_tolerance); met share of
// the wished facilities (spa, pool, pet, sport) or environment (lake, mountain, sport) below its
// tolerance; children present and family_rating below family_tolerance. Otherwise
//   w_facilities·(family + service + facilities met) + w_environment·(outdoor + food + leisure +
//   environment met) + w_users·user_score,
// where "met" sums the weights of the wishes the location fulfils.
double ScoreLocation(const UserProfile& profile, const User& user, const Location& location);

// Scores every location, then: no pick if all scores are 0; otherwise the person ignores the list
// with probability 1 − ignore_tolerance, else picks the best (first on ties) with probability
// 1 − exploration_tolerance, else draws one in proportion to its score. Returns the index of the
// picked location, or -1 for no pick.
int DecidePick(const UserProfile& profile, const User& user, std::span<const Location> locations,
               Rng& rng);

// DecidePick as one 0/1 label per location (at most one 1).
std::vector<int> LabelLocations(const UserProfile& profile, const User& user,
                                std::span<const Location> locations, Rng& rng);

}  // namespace mlprod::data
