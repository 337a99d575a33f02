#include "tasks/history.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "common/time_util.h"
#include "common/uuid.h"
#include "data/generate.h"
#include "data/labeller.h"
#include "tasks/exploration.h"

namespace mlprod::tasks {
namespace {

// A UUID v7 of the loop's own time, as serving makes them (common/uuid.h), from the generator's
// seeded random stream so that a history is reproducible.
std::string DrawTaskId(std::chrono::system_clock::time_point when, data::Rng& rng) {
  std::array<std::uint8_t, 10> random{};
  for (auto& b : random) b = static_cast<std::uint8_t>(rng.UniformInt(0, 256));
  return TimeOrderedUuid(UnixMs(when), random);
}

}  // namespace

HistoryGenerator::HistoryGenerator(std::vector<data::UserProfile> profiles,
                                   std::vector<Location> locations, std::string model_id,
                                   HistoryOptions options)
    : profiles_(std::move(profiles)),
      locations_(std::move(locations)),
      model_id_(std::move(model_id)),
      options_(options),
      rng_(options.seed) {
  double total = 0;
  for (const auto& p : profiles_) total += std::max(p.meta_n, 0);
  for (const auto& p : profiles_) weights_.push_back(total > 0 ? std::max(p.meta_n, 0) : 1.0);
  options_.total = std::max<std::int64_t>(options_.total, 1);
}

store::PastLoop HistoryGenerator::Draw(std::int64_t index) {
  using std::chrono::system_clock;
  const auto offset = std::chrono::duration_cast<system_clock::duration>(
      options_.span * (static_cast<double>(options_.total - index) - 0.5) /
      static_cast<double>(options_.total));
  const system_clock::time_point when = options_.end - offset;

  const data::UserProfile& profile = profiles_[rng_.Weighted(weights_)];
  store::PastLoop loop;
  loop.user = data::GenerateUser(profile, std::chrono::floor<std::chrono::days>(when), rng_).user;
  loop.task_id = DrawTaskId(when, rng_);
  loop.time = FormatTimestamp(when) + "Z";
  loop.model_id = model_id_;

  // The model's ranking: the person's utility squashed into (0, 1), blurred by noise.
  const size_t n = locations_.size();
  scores_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const double u = std::max(0.0, data::ScoreLocation(profile, loop.user, locations_[i]));
    scores_[i] = 0.8 * u / (1.0 + u) + 0.2 * rng_.Uniform01();
  }
  const size_t keep =
      options_.keep_results <= 0 ? n : std::min(n, static_cast<size_t>(options_.keep_results));
  const bool explores = Explores(loop.task_id, options_.explore_share);
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), 0);
  // The whole order for an explored list (every entry's deterministic rank), else the top.
  std::partial_sort(
      order_.begin(), order_.begin() + (explores ? n : keep), order_.end(),
      [this](int a, int b) { return scores_[a] != scores_[b] ? scores_[a] > scores_[b] : a < b; });
  if (explores) {
    det_ranks_.resize(n);
    for (size_t r = 0; r < n; ++r) det_ranks_[order_[r]] = static_cast<int>(r);
    const ExploredList ex = ExploreList(loop.task_id, options_.explore_share, det_ranks_);
    loop.shown.resize(keep);
    loop.explored_propensities.resize(keep);
    for (size_t i = 0; i < n; ++i) {
      const auto r = static_cast<size_t>(ex.ranks[i]);
      if (r >= keep) continue;
      loop.shown[r] = {locations_[i].location_id, scores_[i]};
      loop.explored_propensities[r] = ex.propensities[i];
    }
  } else {
    loop.propensity = DeterministicPropensity(options_.explore_share, n);
    for (size_t r = 0; r < keep; ++r) {
      const auto i = static_cast<size_t>(order_[r]);
      loop.shown.push_back({locations_[i].location_id, scores_[i]});
    }
  }

  loop.answered = rng_.Bernoulli(options_.feedback);
  if (loop.answered) {
    shown_.clear();
    for (const store::ScoredLocation& sl : loop.shown) {
      const auto it = std::find_if(locations_.begin(), locations_.end(), [&](const Location& l) {
        return l.location_id == sl.location_id;
      });
      shown_.push_back(*it);
    }
    loop.pick = data::DecidePick(profile, loop.user, shown_, rng_);
  }
  return loop;
}

}  // namespace mlprod::tasks
