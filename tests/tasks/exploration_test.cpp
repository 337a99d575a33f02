#include "tasks/exploration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "tasks/model_pool.h"

namespace mlprod::tasks {
namespace {

TEST(Exploration, ExploresItsShareOfTasksIndependentlyOfTheCanary) {
  int explored = 0, both = 0, canary = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = "task-" + std::to_string(i);
    const bool e = Explores(id, 0.05);
    const bool c = ModelPool::CanaryPoint(id) < 0.1;
    explored += e;
    canary += c;
    both += e && c;
  }
  EXPECT_NEAR(explored / 20000.0, 0.05, 0.006);
  EXPECT_NEAR(both / double(canary), 0.05, 0.02) << "the canary's tasks explore like any other";
  EXPECT_FALSE(Explores("task-1", 0.0));
  EXPECT_TRUE(Explores("task-1", 1.0));
}

TEST(Exploration, TheOrderIsAPermutationFixedPerTaskAndVariesAcrossTasks) {
  std::vector<int> det(50);
  std::iota(det.begin(), det.end(), 0);
  const auto a = ExploreList("t1", 0.05, det);
  auto sorted = a.ranks;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, det);
  EXPECT_EQ(ExploreList("t1", 0.05, det).ranks, a.ranks) << "a redelivered task: the same list";
  EXPECT_NE(ExploreList("t2", 0.05, det).ranks, a.ranks);
  // Every location is equally likely first: over many tasks each lands at rank 0 ~1/50 times.
  std::vector<int> first(50);
  for (int i = 0; i < 20000; ++i) {
    const auto l = ExploreList("u" + std::to_string(i), 0.05, det);
    first[std::find(l.ranks.begin(), l.ranks.end(), 0) - l.ranks.begin()]++;
  }
  for (int c : first) EXPECT_NEAR(c, 400, 90);
}

TEST(Exploration, PropensitiesAreThoseOfTheMixedLoggingPolicy) {
  const double eps = 0.1;
  const std::size_t n = 40;
  EXPECT_DOUBLE_EQ(DeterministicPropensity(eps, n), 0.9 + 0.1 / 40);
  EXPECT_DOUBLE_EQ(DeterministicPropensity(0.0, n), 1.0);
  std::vector<int> det(n);
  std::iota(det.begin(), det.end(), 0);
  // Find a task whose random order keeps some entry at its deterministic position.
  for (int i = 0; i < 1000; ++i) {
    const auto l = ExploreList("p" + std::to_string(i), eps, det);
    bool kept = false;
    for (std::size_t k = 0; k < n; ++k) {
      const double expected = eps / n + (l.ranks[k] == det[k] ? 1 - eps : 0.0);
      EXPECT_DOUBLE_EQ(l.propensities[k], expected);
      kept = kept || l.ranks[k] == det[k];
    }
    if (kept) return;
  }
  ADD_FAILURE() << "no order kept an entry in place in 1000 tasks";
}

}  // namespace
}  // namespace mlprod::tasks
