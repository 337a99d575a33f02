// Store::AppendHistory (`mlprod history`), run against every backend (instantiated in
// sqlite_store_test.cpp and postgres_store_test.cpp): past loops land as the rows serving writes.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

PastLoop Past(const std::string& task_id, bool explored, bool answered, int pick) {
  PastLoop loop;
  loop.user = SampleUser("past " + task_id);
  loop.task_id = task_id;
  loop.time = "2026-10-05T08:30:00Z";
  loop.model_id = "m1";
  for (int k = 0; k < 10; ++k) {
    loop.shown.push_back({20 - k, 0.9 - 0.05 * k});
    if (explored) loop.explored_propensities.push_back(0.005 + 0.001 * k);
  }
  loop.propensity = 0.95;
  loop.answered = answered;
  loop.pick = pick;
  return loop;
}

TEST_P(StoreTest, AppendedHistoryReadsBackAsServedLoops) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(30)).ok());
  const std::vector<PastLoop> loops = {
      Past("p-pick", false, true, 3), Past("p-none", false, true, -1),
      Past("p-silent", false, false, -1), Past("p-explored", true, true, 0)};
  auto st = store_->AppendHistory(loops);
  ASSERT_TRUE(st.ok()) << st.error().message;

  EXPECT_EQ(store_->Info()->users, 4);
  auto inference = store_->GetInference("p-pick");
  ASSERT_TRUE(inference.ok() && inference->has_value());
  EXPECT_EQ((*inference)->status, TaskState::kSuccess);
  EXPECT_EQ((*inference)->time_creation, "2026-10-05T08:30:00Z");
  EXPECT_EQ((*inference)->time_get, "2026-10-05T08:30:00Z");
  auto user = store_->GetUser((*inference)->user_id);
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->name, "past p-pick");

  // The rows come back in shown order with the pick labelled, as a served list's do.
  auto top = store_->TopResults("p-pick", 10);
  ASSERT_TRUE(top.ok()) << top.error().message;
  ASSERT_EQ(top->size(), 10u);
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ((*top)[k].location_id, 20 - k);
    EXPECT_EQ((*top)[k].label, k == 3 ? 1 : 0);
    EXPECT_EQ((*top)[k].model_id, "m1");
    EXPECT_DOUBLE_EQ((*top)[k].propensity, 0.95);
  }
  auto explored = store_->TopResults("p-explored", 10);
  ASSERT_TRUE(explored.ok() && explored->size() == 10u);
  EXPECT_TRUE((*explored)[4].explored);
  EXPECT_DOUBLE_EQ((*explored)[4].propensity, 0.005 + 0.001 * 4);

  // First answers: counted per model, the explored list under its own key, the silent one not.
  auto m1 = store_->GetModelFeedback("m1");
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->lists, 2);
  EXPECT_EQ(m1->pick_positions[3], 1);
  EXPECT_EQ(m1->no_picks, 1);
  EXPECT_EQ(store_->GetModelFeedback(kExploredFeedbackId)->pick_positions[0], 1);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE feedback IS NULL"), 1);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE shown"), 40);
  // The answered explored list is training data at once.
  auto rows = store_->NewestExploredResults(100);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 10u);
  // inference_start and results for each, selection plus good or bad for the three answered.
  EXPECT_EQ(CountEvents(kEventInferenceStart), 4);
  EXPECT_EQ(CountEvents(kEventSelection), 3);
  EXPECT_EQ(CountEvents(kEventGoodInference), 2);
  EXPECT_EQ(CountEvents(kEventBadInference), 1);

  // A second batch adds to the counters.
  ASSERT_TRUE(store_->AppendHistory(std::vector<PastLoop>{Past("p-2", false, true, 3)}).ok());
  EXPECT_EQ(store_->GetModelFeedback("m1")->pick_positions[3], 2);
}

TEST_P(StoreTest, AHistoryBatchWithAKnownTaskIdWritesNothing) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(30)).ok());
  ASSERT_TRUE(store_->StartInference(SampleUser("live"), "taken").ok());
  auto st = store_->AppendHistory(
      std::vector<PastLoop>{Past("fresh", false, true, 1), Past("taken", false, true, 1)});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict) << st.error().message;
  EXPECT_EQ(store_->Info()->users, 1);
  EXPECT_FALSE(store_->GetInference("fresh")->has_value());
  EXPECT_EQ(store_->GetModelFeedback("m1")->lists, 0);
}

TEST_P(StoreTest, AHistoryLoopWithAPickOutsideItsListIsRejected) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(30)).ok());
  auto st = store_->AppendHistory(std::vector<PastLoop>{Past("bad", false, true, 10)});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->Info()->users, 0);
}

}  // namespace
}  // namespace mlprod::store::testing
