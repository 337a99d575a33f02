#include "tasks/interleave.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace mlprod::tasks {
namespace {

TEST(TeamDraft, ShowsEveryIndexOnceAndAlternatesTeams) {
  const std::vector<int> current = {0, 1, 2, 3, 4, 5, 6, 7};
  const std::vector<int> candidate = {7, 6, 5, 4, 3, 2, 1, 0};
  const auto list = TeamDraft(current, candidate, 12345);
  ASSERT_EQ(list.size(), 8u);
  std::set<int> seen;
  for (const auto& item : list) seen.insert(item.index);
  EXPECT_EQ(seen.size(), 8u);
  // Disjoint preferences: each pair of positions holds one item of each team, each team's best
  // first.
  for (std::size_t i = 0; i + 1 < list.size(); i += 2) {
    EXPECT_NE(list[i].candidate, list[i + 1].candidate) << i;
  }
  const auto first_of = [&](bool team) {
    return std::find_if(list.begin(), list.end(), [&](auto& x) { return x.candidate == team; })
        ->index;
  };
  EXPECT_EQ(first_of(false), 0);
  EXPECT_EQ(first_of(true), 7);
}

TEST(TeamDraft, IdenticalRankingsGiveThatRankingAndSplitTheCredit) {
  const std::vector<int> ranking = {3, 1, 4, 0, 2, 5};
  const auto list = TeamDraft(ranking, ranking, 9);
  ASSERT_EQ(list.size(), ranking.size());
  int candidate_items = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i].index, ranking[i]);
    candidate_items += list[i].candidate;
  }
  EXPECT_EQ(candidate_items, 3);
}

TEST(TeamDraft, IsDeterministicPerSeedAndTheCoinVariesWhoGoesFirst) {
  const std::vector<int> a = {0, 1, 2, 3}, b = {3, 2, 1, 0};
  int candidate_first = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto x = TeamDraft(a, b, seed);
    const auto y = TeamDraft(a, b, seed);
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x[i].index, y[i].index);
      EXPECT_EQ(x[i].candidate, y[i].candidate);
    }
    candidate_first += x[0].candidate;
  }
  EXPECT_GT(candidate_first, 70);
  EXPECT_LT(candidate_first, 130);
}

TEST(RankByScore, OrdersHighestFirstAndKeepsTiesInIndexOrder) {
  const std::vector<float> scores = {0.1f, 0.9f, 0.5f, 0.9f};
  EXPECT_EQ(RankByScore(scores), (std::vector<int>{1, 3, 2, 0}));
}

}  // namespace
}  // namespace mlprod::tasks
