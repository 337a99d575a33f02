// The data retention part of the Store contract (DeleteExpiredHistory, schema migration 10), run
// against every backend (instantiated in sqlite_store_test.cpp and postgres_store_test.cpp).
// "Old" rows are backdated with SQL and the cutoff is passed in, so nothing waits for a clock.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

constexpr int kLocations = 12;
constexpr const char* kOld = "2020-01-01T00:00:00Z";
constexpr const char* kCutoff = "2021-01-01T00:00:00Z";

std::vector<ScoredLocation> Scores() {
  std::vector<ScoredLocation> out;
  for (int i = 1; i <= kLocations; ++i) out.push_back({i, i / double(kLocations)});
  return out;
}

// A finished loop: the inference, its results (shown) and events; returns the user id.
std::int64_t FinishedLoop(Store& store, const std::string& task) {
  auto uid = store.StartInference(SampleUser(task), task);
  EXPECT_TRUE(uid.ok());
  EXPECT_TRUE(store.SaveResults(task, *uid, "m1", Scores()).ok());
  EXPECT_TRUE(store.TopResults(task, 5).ok());
  return uid.ok() ? *uid : 0;
}

RetentionOptions Cutoff(const char* cutoff = kCutoff) {
  RetentionOptions o;
  o.cutoff = cutoff;
  o.pause = std::chrono::microseconds(0);
  return o;
}

// Everything written so far becomes old.
void Backdate(TestDatabase& db) {
  db.ExecSql(std::string("UPDATE inferences SET time_creation = '") + kOld + "'");
  db.ExecSql(std::string("UPDATE events SET time_event = '") + kOld + "'");
}

long long Count(TestDatabase& db, const std::string& table, const std::string& where = "true") {
  return db.CountSql("SELECT COUNT(*) FROM " + table + " WHERE " + where);
}

Result<RetentionCounts> Delete(Store& store, const RetentionOptions& o = Cutoff()) {
  RetentionCursor cursor;
  return store.DeleteExpiredHistory(o, cursor);
}

TEST_P(StoreTest, RetentionOldUnansweredLoopsGoAndAnsweredUnfinishedAndDataSetLoopsStay) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  const std::int64_t gone_user = FinishedLoop(*store_, "old-unanswered");
  auto failed_user = store_->StartInference(SampleUser("f"), "old-failed");
  ASSERT_TRUE(failed_user.ok());
  ASSERT_TRUE(store_->UpdateInferenceStatus("old-failed", TaskState::kFailure).ok());
  FinishedLoop(*store_, "old-picked");
  ASSERT_TRUE(store_->SelectResult("old-picked", kLocations - 2).ok());  // shown third
  FinishedLoop(*store_, "old-rejected");
  ASSERT_TRUE(store_->RejectResults("old-rejected").ok());
  ASSERT_TRUE(store_->StartInference(SampleUser("p"), "old-pending").ok());
  FinishedLoop(*store_, "old-in-dataset");
  auto rows = store_->ListResults("old-in-dataset", 0, 1);
  ASSERT_TRUE(rows.ok() && rows->size() == 1u);
  const std::int64_t used[] = {rows->front().result_id};
  ASSERT_TRUE(store_->RecordDataset("train-1", used).ok());
  Backdate(*db_);
  FinishedLoop(*store_, "new-unanswered");
  const long long users = Count(*db_, "users"), feedback = Count(*db_, "model_feedback");
  const long long transitions = Count(*db_, "model_transitions");

  auto counts = Delete(*store_);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->inferences, 2);
  EXPECT_EQ(counts->results, kLocations);  // the failed loop had none
  EXPECT_EQ(counts->users, 2);
  EXPECT_GT(counts->events, 0);
  EXPECT_EQ(Count(*db_, "inferences", "task_id IN ('old-unanswered', 'old-failed')"), 0);
  EXPECT_EQ(Count(*db_, "results", "task_id = 'old-unanswered'"), 0);
  EXPECT_EQ(
      Count(*db_, "users",
            "user_id IN (" + std::to_string(gone_user) + ", " + std::to_string(*failed_user) + ")"),
      0);
  EXPECT_EQ(Count(*db_, "users"), users - 2);
  for (const char* kept :
       {"old-picked", "old-rejected", "old-pending", "old-in-dataset", "new-unanswered"}) {
    EXPECT_EQ(Count(*db_, "inferences", std::string("task_id = '") + kept + "'"), 1) << kept;
  }
  EXPECT_EQ(Count(*db_, "results", "task_id = 'old-in-dataset'"), kLocations);
  EXPECT_EQ(Count(*db_, "datasets"), 1);
  EXPECT_EQ(Count(*db_, "events", std::string("time_event < '") + kCutoff + "'"), 0);
  EXPECT_GT(Count(*db_, "events"), 0);  // the new loop's
  EXPECT_EQ(Count(*db_, "model_feedback"), feedback);
  EXPECT_EQ(Count(*db_, "model_transitions"), transitions);

  // Nothing more to do: a second walk deletes nothing.
  auto again = Delete(*store_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->total(), 0);
}

TEST_P(StoreTest, RetentionAUserAnotherInferenceReferencesStays) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  const std::int64_t uid = FinishedLoop(*store_, "old-unanswered");
  db_->ExecSql(
      "INSERT INTO inferences (task_id, time_creation, user_id, status, feedback) "
      "VALUES ('answered-twin', '2020-01-02T00:00:00Z', " +
      std::to_string(uid) + ", 'SUCCESS', 0)");
  Backdate(*db_);
  auto counts = Delete(*store_);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->inferences, 1);
  EXPECT_EQ(counts->users, 0);
  EXPECT_EQ(Count(*db_, "users", "user_id = " + std::to_string(uid)), 1);
  EXPECT_EQ(Count(*db_, "inferences", "task_id = 'answered-twin'"), 1);
}

TEST_P(StoreTest, RetentionNothingNewerThanTheCutoffIsDeleted) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  FinishedLoop(*store_, "a");
  FinishedLoop(*store_, "b");
  const long long events = Count(*db_, "events");
  auto counts = Delete(*store_, Cutoff(kOld));  // the rows are from today, the cutoff from 2020
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->total(), 0);
  EXPECT_EQ(Count(*db_, "inferences"), 2);
  EXPECT_EQ(Count(*db_, "results"), 2 * kLocations);
  EXPECT_EQ(Count(*db_, "events"), events);
}

// One kept (answered) loop first, then `loops` unanswered ones; all old.
void OldLoops(Store& store, TestDatabase& db, int loops) {
  ASSERT_TRUE(store.LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  FinishedLoop(store, "kept-answered");
  ASSERT_TRUE(store.RejectResults("kept-answered").ok());
  for (int i = 0; i < loops; ++i) FinishedLoop(store, "old-" + std::to_string(100 + i));
  Backdate(db);
}

TEST_P(StoreTest, RetentionHalvesSlowBatchesDownToTheMinimumAndResumesAtItsCursor) {
  constexpr int kLoops = 30;
  OldLoops(*store_, *db_, kLoops);
  RetentionOptions o = Cutoff();
  o.first_batch = 4;
  o.min_batch = 2;
  o.max_batch = 8;
  o.shrink_above = std::chrono::microseconds(0);  // every batch counts as slow
  o.max_batches = 3;                              // 4 + 2 + 2 loops walked
  RetentionCursor cursor;
  auto first = store_->DeleteExpiredHistory(o, cursor);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->batches, 3);
  EXPECT_EQ(first->largest_batch, 4);
  EXPECT_EQ(first->inferences, 7);  // the kept loop was walked, not deleted
  EXPECT_EQ(Count(*db_, "inferences"), 1 + kLoops - 7);

  // Later calls continue after the cursor: the kept loop is not walked again.
  std::int64_t deleted = first->inferences;
  for (int call = 0; call < 20 && deleted < kLoops; ++call) {
    auto next = store_->DeleteExpiredHistory(o, cursor);
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_LE(next->largest_batch, 4);
    EXPECT_EQ(next->inferences, std::min<std::int64_t>(4 + 2 + 2, kLoops - deleted));
    deleted += next->inferences;
  }
  EXPECT_EQ(deleted, kLoops);
  EXPECT_EQ(Count(*db_, "inferences"), 1);
  EXPECT_EQ(Count(*db_, "results", "task_id <> 'kept-answered'"), 0);
}

TEST_P(StoreTest, RetentionDoublesFastBatchesUpToTheMaximum) {
  OldLoops(*store_, *db_, 20);
  RetentionOptions o = Cutoff();
  o.first_batch = 2;
  o.min_batch = 2;
  o.max_batch = 8;
  o.grow_below = std::chrono::hours(1);  // every batch counts as fast
  o.shrink_above = std::chrono::hours(2);
  o.max_batches = 4;  // 2 + 4 + 8 + 8 loops walked: all 21
  auto counts = Delete(*store_, o);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->largest_batch, 8);
  EXPECT_EQ(counts->inferences, 20);
  EXPECT_EQ(Count(*db_, "inferences"), 1);
}

TEST_P(StoreTest, RetentionRejectsOptionsWithoutCutoffOrBounds) {
  RetentionCursor cursor;
  EXPECT_FALSE(store_->DeleteExpiredHistory(RetentionOptions{}, cursor).ok());
  RetentionOptions o = Cutoff();
  o.min_batch = 0;
  EXPECT_FALSE(store_->DeleteExpiredHistory(o, cursor).ok());
}

}  // namespace
}  // namespace mlprod::store::testing
