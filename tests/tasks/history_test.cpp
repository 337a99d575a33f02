// HistoryGenerator: past loops spread over the span, oldest first, as serving would have stored
// them (kept rows in shown order, an exploration share, answers from the simulated people).
#include "tasks/history.h"

#include <gtest/gtest.h>

#include <set>

#include "common/time_util.h"
#include "common/uuid.h"
#include "data/generate.h"

namespace mlprod::tasks {
namespace {

std::vector<Location> Catalogue(int n) {
  data::LocationProfile profile;
  profile.meta_comment = "Zurich";
  profile.meta_n = n;
  data::Rng rng(3);
  std::vector<Location> out;
  for (int i = 0; i < n; ++i) {
    Location l = data::GenerateLocation(profile, rng);
    l.location_id = 100 + i;
    out.push_back(l);
  }
  return out;
}

std::vector<data::UserProfile> Profiles() {
  data::UserProfile a, b;
  a.meta_comment = "couples";
  a.meta_n = 3;
  b.meta_comment = "families";
  b.meta_n = 1;
  b.budget_min = 5000;
  return {a, b};
}

HistoryOptions Options(std::int64_t total) {
  HistoryOptions o;
  o.seed = 11;
  o.total = total;
  o.end = std::chrono::sys_days{std::chrono::year{2026} / 11 / 30};
  o.span = std::chrono::hours(24 * 10);
  o.explore_share = 0.2;
  o.feedback = 0.9;
  return o;
}

TEST(HistoryGenerator, LoopsAreSpreadOverTheSpanOldestFirstWithUniqueTaskIds) {
  constexpr int kTotal = 2000;
  HistoryGenerator gen(Profiles(), Catalogue(60), "m7", Options(kTotal));
  std::set<std::string> ids;
  std::string previous;
  int explored = 0, answered = 0, picks = 0;
  for (int i = 0; i < kTotal; ++i) {
    const store::PastLoop loop = gen.Draw(i);
    EXPECT_TRUE(IsUuid(loop.task_id)) << loop.task_id;
    ids.insert(loop.task_id);
    EXPECT_GT(loop.time, previous);
    previous = loop.time;
    EXPECT_EQ(loop.model_id, "m7");
    ASSERT_EQ(loop.shown.size(), 10u);
    if (!loop.explored_propensities.empty()) {
      ++explored;
      ASSERT_EQ(loop.explored_propensities.size(), 10u);
    } else {
      // A deterministic list is in score order.
      for (size_t k = 1; k < loop.shown.size(); ++k) {
        EXPECT_GE(loop.shown[k - 1].score, loop.shown[k].score);
      }
      EXPECT_NEAR(loop.propensity, 0.8 + 0.2 / 60, 1e-12);
    }
    answered += loop.answered;
    picks += loop.answered && loop.pick >= 0;
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTotal));
  auto first = ParseTimestamp(gen.Draw(0).time);
  ASSERT_TRUE(first.ok());
  EXPECT_GE(*first, Options(kTotal).end - std::chrono::hours(24 * 10));
  EXPECT_LE(previous, FormatTimestamp(Options(kTotal).end) + "Z");
  EXPECT_NEAR(explored / double(kTotal), 0.2, 0.04);
  EXPECT_NEAR(answered / double(kTotal), 0.9, 0.03);
  EXPECT_GT(picks, 0);
  EXPECT_LT(picks, answered);
}

TEST(HistoryGenerator, TheSameSeedDrawsTheSameHistory) {
  HistoryGenerator a(Profiles(), Catalogue(30), "m", Options(10));
  HistoryGenerator b(Profiles(), Catalogue(30), "m", Options(10));
  for (int i = 0; i < 10; ++i) {
    const store::PastLoop x = a.Draw(i), y = b.Draw(i);
    EXPECT_EQ(x.task_id, y.task_id);
    EXPECT_EQ(x.user.budget, y.user.budget);
    EXPECT_EQ(x.pick, y.pick);
  }
}

}  // namespace
}  // namespace mlprod::tasks
