// Team-draft interleaving (Radlinski, Kurup, Joachims 2008) of two models' rankings into the one
// list a canary inference shows: each round the team with fewer picks so far (a coin decides a
// tie) adds its best location not yet in the list, and every position remembers its team, so a
// user's pick credits the model that put it there. Pure and deterministic for a seed (a
// redelivered task rebuilds the same list); thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mlprod::tasks {

struct InterleavedItem {
  int index = 0;           // into the scored locations
  bool candidate = false;  // contributed by the candidate's ranking (else the current model's)
};

// `current` and `candidate` rank the same n indexes 0..n-1 (best first). Returns all n, in shown
// order.
std::vector<InterleavedItem> TeamDraft(std::span<const int> current, std::span<const int> candidate,
                                       std::uint64_t seed);

// Indexes 0..n-1 ordered by score, highest first (ties: lower index first).
std::vector<int> RankByScore(std::span<const float> scores);

}  // namespace mlprod::tasks
