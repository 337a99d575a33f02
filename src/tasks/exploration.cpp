#include "tasks/exploration.h"

#include <numeric>
#include <random>
#include <string>

#include "tasks/model_pool.h"

namespace mlprod::tasks {
namespace {

double SaltedPoint(std::string_view task_id, const char* salt) {
  std::string salted(task_id);
  salted += salt;
  return ModelPool::SplitPoint(salted);
}

}  // namespace

bool Explores(std::string_view task_id, double share) {
  return share > 0 && SaltedPoint(task_id, "#explore") < share;
}

double DeterministicPropensity(double share, std::size_t n) {
  return n == 0 ? 1.0 : (1.0 - share) + share / static_cast<double>(n);
}

ExploredList ExploreList(std::string_view task_id, double share,
                         std::span<const int> deterministic_ranks) {
  const std::size_t n = deterministic_ranks.size();
  ExploredList out;
  out.ranks.resize(n);
  std::iota(out.ranks.begin(), out.ranks.end(), 0);
  // Fisher-Yates with a generator seeded by the task id (not std::shuffle, whose algorithm is
  // the standard library's choice: the order must not change with the compiler).
  std::mt19937_64 rng(
      static_cast<std::uint64_t>(SaltedPoint(task_id, "#explore-order") * 9007199254740992.0));
  for (std::size_t i = n; i > 1; --i) {
    std::swap(out.ranks[i - 1], out.ranks[rng() % i]);
  }
  out.propensities.resize(n);
  const double uniform = share / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.propensities[i] = uniform + (out.ranks[i] == deterministic_ranks[i] ? 1.0 - share : 0.0);
  }
  return out;
}

}  // namespace mlprod::tasks
