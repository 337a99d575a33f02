// Realistic past loops for `mlprod history`: users drawn from the profiles as the traffic
// generator draws them, lists ranked by a noisy version of the simulated person's utility (an
// exploration share shown in random order, as tasks/exploration.h does), answers decided by the
// labeller. Not the writer (store::Store::AppendHistory). Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/records.h"
#include "data/profiles.h"
#include "data/random.h"
#include "store/store.h"

namespace mlprod::tasks {

struct HistoryOptions {
  std::uint64_t seed = 42;
  std::int64_t total = 1;  // loops in the whole history (their spacing in time)
  // The newest loop's time; the loops are spread evenly over the `span` before it, oldest first.
  std::chrono::system_clock::time_point end;
  std::chrono::seconds span = std::chrono::hours(24 * 30);  // Default: 30 days
  double feedback = 1.0;        // share of loops answered (pick or no pick). Default: 1
  double explore_share = 0.05;  // share of explored lists, as serving's --explore-share
  int keep_results = 10;        // rows stored per list (serving's --keep-results; 0: all)
};

class HistoryGenerator {
 public:
  // profiles: weighted by meta_n (at least one positive); locations: the store's (not empty).
  HistoryGenerator(std::vector<data::UserProfile> profiles, std::vector<Location> locations,
                   std::string model_id, HistoryOptions options);

  // Loop `index` (0 = the oldest) of the history. The task id is a UUID v4 drawn from the seed.
  store::PastLoop Draw(std::int64_t index);

 private:
  std::vector<data::UserProfile> profiles_;
  std::vector<double> weights_;
  std::vector<Location> locations_;
  std::string model_id_;
  HistoryOptions options_;
  data::Rng rng_;
  // Scratch per loop.
  std::vector<double> scores_;
  std::vector<int> order_, det_ranks_;
  std::vector<Location> shown_;
};

}  // namespace mlprod::tasks
