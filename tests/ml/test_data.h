// Small deterministic data sets for the ML tests: random users and locations with a label rule
// the MLP can learn (affordable and matching the pool wish). Header-only test helper.
#pragma once

#include <vector>

#include "ml/dataset.h"
#include "ml/rng.h"

namespace mlprod::ml::testing {

inline User RandomUser(Rng& rng) {
  User u;
  u.people_num = 1 + static_cast<int>(rng.Below(5));
  u.children_num = static_cast<int>(rng.Below(2));
  u.budget = rng.Uniform(100, 1000);
  u.nights = 1 + static_cast<int>(rng.Below(6));
  u.pool = rng.Below(2);
  u.spa = rng.Below(2);
  u.pet_friendly = rng.Below(2);
  u.lake = rng.Below(2);
  u.mountain = rng.Below(2);
  u.sport = rng.Below(2);
  u.age_min = static_cast<int>(rng.Below(30));
  u.age_max = u.age_min + static_cast<int>(rng.Below(30));
  u.age_std = rng.Uniform(0, 15);
  return u;
}

// max_price: upper bound of the uniform price (Default: 1500).
inline Location RandomLocation(Rng& rng, std::int64_t id, double max_price = 1500) {
  Location l;
  l.location_id = id;
  l.children = rng.Below(2);
  l.breakfast = rng.Below(2);
  l.lunch = rng.Below(2);
  l.dinner = rng.Below(2);
  l.price = rng.Uniform(75, max_price);
  l.has_pool = rng.Below(2);
  l.has_spa = rng.Below(2);
  l.animals = rng.Below(2);
  l.near_lake = rng.Below(2);
  l.near_mountains = rng.Below(2);
  l.has_sport = rng.Below(2);
  l.family_rating = rng.Uniform(0, 4);
  l.outdoor_rating = rng.Uniform(0, 3);
  l.food_rating = rng.Uniform(0, 7);
  l.leisure_rating = rng.Uniform(0, 6);
  l.service_rating = rng.Uniform(0, 5);
  l.user_score = rng.Uniform(0, 5);
  return l;
}

inline std::vector<LabelledExample> RandomExamples(int n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<LabelledExample> out;
  for (int i = 0; i < n; ++i) {
    LabelledExample e{RandomUser(rng), RandomLocation(rng, i + 1), 0};
    e.label = e.location.price < e.user.budget && e.user.pool == e.location.has_pool ? 1 : 0;
    out.push_back(e);
  }
  return out;
}

inline Dataset RandomDataset(int n, std::uint64_t seed) {
  return DatasetFromExamples(RandomExamples(n, seed)).value();
}

}  // namespace mlprod::ml::testing
