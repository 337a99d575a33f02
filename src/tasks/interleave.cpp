#include "tasks/interleave.h"

#include <algorithm>
#include <numeric>

namespace mlprod::tasks {
namespace {

// splitmix64: one well-mixed bit per round from the seed, no state beyond the counter.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::vector<InterleavedItem> TeamDraft(std::span<const int> current, std::span<const int> candidate,
                                       std::uint64_t seed) {
  const std::size_t n = current.size();
  std::vector<InterleavedItem> out;
  out.reserve(n);
  std::vector<char> used(n, 0);
  std::size_t next_current = 0, next_candidate = 0, picks_current = 0, picks_candidate = 0;
  for (std::uint64_t round = 0; out.size() < n; ++round) {
    const bool candidate_turn = picks_candidate < picks_current ||
                                (picks_candidate == picks_current && (Mix(seed + round) & 1));
    std::span<const int> ranking = candidate_turn ? candidate : current;
    std::size_t& next = candidate_turn ? next_candidate : next_current;
    while (next < ranking.size() && used[static_cast<std::size_t>(ranking[next])]) ++next;
    if (next == ranking.size()) {
      // This team has nothing left that is not shown; the other one fills the rest.
      (candidate_turn ? picks_candidate : picks_current) = n;
      continue;
    }
    const int index = ranking[next++];
    used[static_cast<std::size_t>(index)] = 1;
    out.push_back(InterleavedItem{index, candidate_turn});
    ++(candidate_turn ? picks_candidate : picks_current);
  }
  return out;
}

std::vector<int> RankByScore(std::span<const float> scores) {
  std::vector<int> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return scores[static_cast<std::size_t>(a)] > scores[static_cast<std::size_t>(b)];
  });
  return order;
}

}  // namespace mlprod::tasks
