#include "data/generate.h"

#include "common/time_util.h"
#include "data/coordinates.h"

namespace mlprod::data {
namespace {

// About 2 km around a city centre, so one city's locations cluster but do not coincide.
constexpr double kCityJitterDegrees = 0.02;
// An unknown place is spread over the whole country instead.
constexpr double kCountryJitterDegrees = 0.5;

int DrawInt(Rng& rng, int lo, int hi) { return static_cast<int>(rng.UniformInt(lo, hi)); }

}  // namespace

UserData GenerateUser(const UserProfile& p, std::chrono::sys_days start, Rng& rng) {
  UserData out;
  User& u = out.user;
  u.name = p.meta_comment;
  // Draw order follows the reference generator, so a profile's stream reads the same way.
  const int people =
      p.people_min < p.people_max ? DrawInt(rng, p.people_min, p.people_max) : p.people_min;
  out.people_age.reserve(static_cast<std::size_t>(people));
  for (int i = 0; i < people; ++i) out.people_age.push_back(DrawInt(rng, p.age_min, p.age_max));
  SetAges(u, out.people_age);
  u.children_num = 0;
  if (p.minor_age > 0) {
    for (int age : out.people_age) {
      if (age < p.minor_age) u.children_num = 1;
    }
  }
  u.budget = rng.UniformReal(p.budget_min, p.budget_max);
  u.nights = DrawInt(rng, p.nights_min, p.nights_max);
  const int offset = DrawInt(rng, p.start_date_tolerance_min, p.start_date_tolerance_max);
  u.time_arrival = FormatDate(start + std::chrono::days{offset});
  u.spa = rng.Bernoulli(p.spa_thr);
  u.pool = rng.Bernoulli(p.pool_thr);
  u.pet_friendly = rng.Bernoulli(p.pet_friendly_thr);
  u.lake = rng.Bernoulli(p.lakes_thr);
  u.mountain = rng.Bernoulli(p.mountains_thr);
  u.sport = rng.Bernoulli(p.sport_thr);
  return out;
}

Location GenerateLocation(const LocationProfile& p, Rng& rng) {
  Location l;
  l.children = rng.Bernoulli(p.threshold_child);
  l.breakfast = rng.Bernoulli(p.threshold_breakfast);
  l.lunch = rng.Bernoulli(p.threshold_lunch);
  l.dinner = rng.Bernoulli(p.threshold_dinner);
  l.price = rng.UniformReal(p.price_min, p.price_max);
  l.has_pool = rng.Bernoulli(p.threshold_pool);
  l.has_spa = rng.Bernoulli(p.threshold_spa);
  l.animals = rng.Bernoulli(p.threshold_animals);
  l.near_lake = rng.Bernoulli(p.threshold_lake);
  l.near_mountains = rng.Bernoulli(p.threshold_mountain);
  l.has_sport = rng.Bernoulli(p.threshold_sport);
  l.family_rating = rng.UniformReal(p.family_min, p.family_max);
  l.outdoor_rating = rng.UniformReal(p.outdoor_min, p.outdoor_max);
  l.food_rating = rng.UniformReal(p.food_min, p.food_max);
  l.leisure_rating = rng.UniformReal(p.leisure_min, p.leisure_max);
  l.service_rating = rng.UniformReal(p.service_min, p.service_max);
  l.user_score = rng.UniformReal(p.score_min, p.score_max);

  GeoPoint centre = kSwitzerlandCentre;
  double jitter = kCountryJitterDegrees;
  if (p.lat && p.lon) {
    centre = {*p.lat, *p.lon};
    jitter = kCityJitterDegrees;
  } else if (auto known = CityCentre(p.meta_comment)) {
    centre = *known;
    jitter = kCityJitterDegrees;
  }
  l.lat = rng.UniformReal(centre.lat - jitter, centre.lat + jitter);
  l.lon = rng.UniformReal(centre.lon - jitter, centre.lon + jitter);
  return l;
}

}  // namespace mlprod::data
