// Exploration: on a share ε of inference tasks the list shows the locations in a uniformly random
// order instead of the model's, so the answers to those lists are unbiased labels of the live
// population (training rows and the offline gate's holdout, docs/ml.md "The learning loop").
// Each shown row logs its propensity: the probability that this logging policy (explore with
// probability ε, else the deterministic order) shows that location at that position. Pure and
// deterministic per task id (a redelivered task explores again, in the same order); thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace mlprod::tasks {

struct ExploreOptions {
  // Share of inference tasks whose list is explored, in [0, 1]; 0 turns exploration off.
  // Default: 0.05
  double share = 0.05;
};

// Whether the task explores: its point in [0, 1) (independent of the traffic split's and the
// canary's) is below the share.
bool Explores(std::string_view task_id, double share);

// The propensity of every row of a list in the deterministic order: (1 − ε) + ε / n.
double DeterministicPropensity(double share, std::size_t n);

struct ExploredList {
  std::vector<int> ranks;            // entry i is shown at ranks[i]: a permutation of 0..n-1
  std::vector<double> propensities;  // of entry i at ranks[i]
};

// The task's random order of n = deterministic_ranks.size() entries (deterministic_ranks[i]: the
// position entry i would have had without exploring), with each entry's propensity
// ε / n + (1 − ε) · [ranks[i] == deterministic_ranks[i]].
ExploredList ExploreList(std::string_view task_id, double share,
                         std::span<const int> deterministic_ranks);

}  // namespace mlprod::tasks
