#include "ml/features.h"

namespace mlprod::ml {

const std::array<std::string_view, kNumFeatures>& FeatureNames() {
  static constexpr std::array<std::string_view, kNumFeatures> kNames = {
      // user
      "people_num", "children_num", "budget", "nights", "pool", "spa", "pet_friendly", "lake",
      "mountain", "sport", "age_min", "age_max", "age_std",
      // location
      "children", "breakfast", "lunch", "dinner", "price", "has_pool", "has_spa", "animals",
      "near_lake", "near_mountains", "has_sport", "family_rating", "outdoor_rating", "food_rating",
      "leisure_rating", "service_rating", "user_score"};
  return kNames;
}

namespace {
double B(bool b) { return b ? 1.0 : 0.0; }
}  // namespace

void UserFeatures(const User& u, std::span<double, kNumUserFeatures> out) {
  out[0] = u.people_num;
  out[1] = u.children_num;
  out[2] = u.budget;
  out[3] = u.nights;
  out[4] = B(u.pool);
  out[5] = B(u.spa);
  out[6] = B(u.pet_friendly);
  out[7] = B(u.lake);
  out[8] = B(u.mountain);
  out[9] = B(u.sport);
  out[10] = u.age_min;
  out[11] = u.age_max;
  out[12] = u.age_std;
}

void LocationFeatures(const Location& l, std::span<double, kNumLocationFeatures> out) {
  out[0] = B(l.children);
  out[1] = B(l.breakfast);
  out[2] = B(l.lunch);
  out[3] = B(l.dinner);
  out[4] = l.price;
  out[5] = B(l.has_pool);
  out[6] = B(l.has_spa);
  out[7] = B(l.animals);
  out[8] = B(l.near_lake);
  out[9] = B(l.near_mountains);
  out[10] = B(l.has_sport);
  out[11] = l.family_rating;
  out[12] = l.outdoor_rating;
  out[13] = l.food_rating;
  out[14] = l.leisure_rating;
  out[15] = l.service_rating;
  out[16] = l.user_score;
}

}  // namespace mlprod::ml
