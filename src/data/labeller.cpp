#include "data/labeller.h"

#include <algorithm>

namespace mlprod::data {
namespace {

// Weighted wishes: how much the person wanted and how much of it the location delivers.
struct Wishes {
  double desired = 0;
  double met = 0;

  void Add(bool wished, double weight, bool offered) {
    if (!wished) return;
    desired += weight;
    if (offered) met += weight;
  }
  bool Below(double tolerance) const { return desired > 0 && met / desired < tolerance; }
};

}  // namespace

double ScoreLocation(const UserProfile& p, const User& user, const Location& loc) {
  if (loc.price > user.budget * (1.0 + p.budget_tolerance)) return 0;

  // The reference sums unweighted hits against weighted wishes, so a share can exceed 1 when
  // weights are below 1; weighing both sides keeps the share a true fraction (SPEC §7).
  Wishes facilities;
  Wishes environment;
  facilities.Add(user.spa, p.weight_spa, loc.has_spa);
  facilities.Add(user.pool, p.weight_pool, loc.has_pool);
  facilities.Add(user.pet_friendly, p.weight_pet, loc.animals);
  facilities.Add(user.sport, p.weight_sport, loc.has_sport);
  environment.Add(user.lake, p.weight_lake, loc.near_lake);
  environment.Add(user.mountain, p.weight_mountains, loc.near_mountains);
  environment.Add(user.sport, p.weight_sport, loc.has_sport);

  if (facilities.Below(p.facilities_tolerance)) return 0;
  if (environment.Below(p.environment_tolerance)) return 0;
  if (user.children_num > 0 && loc.family_rating < p.family_tolerance) return 0;

  return p.weight_score_facilities * (loc.family_rating + loc.service_rating + facilities.met) +
         p.weight_score_environment *
             (loc.outdoor_rating + loc.food_rating + loc.leisure_rating + environment.met) +
         p.weight_score_users * loc.user_score;
}

int DecidePick(const UserProfile& p, const User& user, std::span<const Location> locations,
               Rng& rng) {
  std::vector<double> scores;
  scores.reserve(locations.size());
  double total = 0;
  for (const Location& loc : locations) {
    // A negative score (negative ratings in a table) must not count as a chance to be drawn.
    scores.push_back(std::max(0.0, ScoreLocation(p, user, loc)));
    total += scores.back();
  }
  if (!(total > 0)) return -1;
  if (!rng.Bernoulli(p.ignore_tolerance)) return -1;
  if (!rng.Bernoulli(p.exploration_tolerance)) {
    return static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
  }
  return static_cast<int>(rng.Weighted(scores));
}

std::vector<int> LabelLocations(const UserProfile& p, const User& user,
                                std::span<const Location> locations, Rng& rng) {
  std::vector<int> labels(locations.size(), 0);
  const int pick = DecidePick(p, user, locations, rng);
  if (pick >= 0) labels[static_cast<std::size_t>(pick)] = 1;
  return labels;
}

}  // namespace mlprod::data
