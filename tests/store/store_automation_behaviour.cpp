// The automatic-retraining part of the Store contract (schema migration 8: leases, drift reports,
// answers since the newest model; migration 17: job progress), run against every backend
// (instantiated in sqlite_store_test.cpp and postgres_store_test.cpp).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000'000;  // a fixed "now" in Unix ms
constexpr std::int64_t kTtl = 30'000;

bool Holds(Store& store, const std::string& holder, std::int64_t now_ms) {
  auto r = store.AcquireLease("retrain", holder, now_ms, kTtl);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() && *r;
}

TEST_P(StoreTest, ALeaseHasOneHolderUntilItExpiresOrIsReleased) {
  auto other = OpenAnother();
  EXPECT_TRUE(Holds(*store_, "a", kT0));
  EXPECT_FALSE(Holds(*other, "b", kT0 + 1));
  EXPECT_TRUE(Holds(*store_, "a", kT0 + 20'000));  // renewal: now until kT0 + 50 s
  EXPECT_FALSE(Holds(*other, "b", kT0 + 40'000));  // the renewal moved the expiry
  EXPECT_TRUE(Holds(*other, "b", kT0 + 50'000));   // expired: taken over
  EXPECT_FALSE(Holds(*store_, "a", kT0 + 50'001));

  // Releasing someone else's lease does nothing; releasing one's own frees it at once.
  ASSERT_TRUE(store_->ReleaseLease("retrain", "a").ok());
  EXPECT_FALSE(Holds(*store_, "a", kT0 + 50'002));
  ASSERT_TRUE(other->ReleaseLease("retrain", "b").ok());
  EXPECT_TRUE(Holds(*store_, "a", kT0 + 50'003));
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM leases"), 1);
}

TEST_P(StoreTest, LeasesOfDifferentNamesAreIndependent) {
  ASSERT_TRUE(Holds(*store_, "a", kT0));
  auto r = store_->AcquireLease("other-job", "b", kT0, kTtl);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  auto bad = store_->AcquireLease("retrain", "a", kT0, 0);
  EXPECT_FALSE(bad.ok());
}

TEST_P(StoreTest, AJobsProgressOutlivesItsLeaseAndAnotherStore) {
  EXPECT_EQ(store_->JobProgress("retention").value(), "");
  ASSERT_TRUE(Holds(*store_, "a", kT0));
  ASSERT_TRUE(store_->SaveJobProgress("retention", R"({"rowid":41})").ok());
  ASSERT_TRUE(store_->SaveJobProgress("retention", R"({"rowid":42})").ok());  // replaced
  ASSERT_TRUE(store_->SaveJobProgress("other", "x").ok());
  ASSERT_TRUE(store_->ReleaseLease("retrain", "a").ok());
  auto other = OpenAnother();
  EXPECT_EQ(other->JobProgress("retention").value(), R"({"rowid":42})");
  EXPECT_EQ(other->JobProgress("other").value(), "x");
  ASSERT_TRUE(other->SaveJobProgress("retention", "").ok());  // forgotten
  EXPECT_EQ(store_->JobProgress("retention").value(), "");
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM job_progress"), 1);
  EXPECT_FALSE(store_->SaveJobProgress("", "x").ok());
}

TEST_P(StoreTest, OfManyConcurrentContendersForAFreeLeaseExactlyOneWins) {
  constexpr int kContenders = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kContenders; ++i) stores.push_back(OpenAnother());
  std::atomic<int> winners{0}, errors{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kContenders; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = stores[static_cast<size_t>(i)]->AcquireLease("retrain", "p" + std::to_string(i), kT0,
                                                            kTtl);
      if (!r.ok()) {
        ++errors;
      } else if (*r) {
        ++winners;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(StoreTest, DriftReportsAreUpsertedPerSourceAndFilteredByAge) {
  ASSERT_TRUE(store_
                  ->PublishDriftReport({.source = "w1",
                                        .model_id = "m1",
                                        .max_psi = 0.05,
                                        .window_requests = 100,
                                        .window_size = 500,
                                        .updated_at_ms = kT0})
                  .ok());
  ASSERT_TRUE(store_
                  ->PublishDriftReport({.source = "w1",
                                        .model_id = "m2",
                                        .max_psi = 0.31,
                                        .window_requests = 500,
                                        .window_size = 500,
                                        .updated_at_ms = kT0 + 5000})
                  .ok());
  ASSERT_TRUE(
      OpenAnother()
          ->PublishDriftReport({.source = "w2", .model_id = "m2", .updated_at_ms = kT0 - 90'000})
          .ok());
  EXPECT_FALSE(store_->PublishDriftReport({.source = "", .updated_at_ms = kT0}).ok());

  auto fresh = store_->ListDriftReports(kT0 - 60'000);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  ASSERT_EQ(fresh->size(), 1u);
  EXPECT_EQ((*fresh)[0].source, "w1");
  EXPECT_EQ((*fresh)[0].model_id, "m2");
  EXPECT_DOUBLE_EQ((*fresh)[0].max_psi, 0.31);
  EXPECT_EQ((*fresh)[0].window_requests, 500);
  EXPECT_EQ((*fresh)[0].window_size, 500);
  EXPECT_EQ((*fresh)[0].updated_at_ms, kT0 + 5000);
  auto all = store_->ListDriftReports(0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].source, "w2");
}

// Starts inference `task` with three shown results scored by model m1.
void ShownTask(Store& store, const std::string& task) {
  auto uid = store.StartInference(SampleUser(task), task);
  ASSERT_TRUE(uid.ok());
  std::vector<ScoredLocation> scores{{1, 0.9}, {2, 0.5}, {3, 0.1}};
  ASSERT_TRUE(store.SaveResults(task, *uid, "m1", scores).ok());
  ASSERT_TRUE(store.TopResults(task, 3).ok());
}

void Pause() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

TEST_P(StoreTest, AnswersCountOnlyFirstAnswersToListsStartedAfterTheNewestModel) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(3)).ok());
  ShownTask(*store_, "before");
  ASSERT_TRUE(store_->RejectResults("before").ok());
  auto none = store_->CountAnswersSinceNewestModel();
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(*none, 1);  // no model yet: every answered list counts

  Pause();
  ASSERT_TRUE(store_->RegisterModel({.task_id = "baseline", .status = "promoted"}).ok());
  Pause();
  ShownTask(*store_, "a");
  ShownTask(*store_, "b");
  ShownTask(*store_, "unanswered");
  ASSERT_TRUE(store_->SelectResult("a", 2).ok());
  ASSERT_TRUE(store_->SelectResult("a", 2).ok());  // a repeated answer counts nothing
  ASSERT_TRUE(store_->RejectResults("b").ok());
  ASSERT_TRUE(store_->RejectResults("before").ok());  // its first answer came before
  auto since = store_->CountAnswersSinceNewestModel();
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(*since, 2);
  ShownTask(*store_, "late");  // started before the next model, answered after it
  Pause();
  ASSERT_TRUE(store_->RegisterModel({.task_id = "train-0", .status = "pending"}).ok());
  ASSERT_TRUE(store_->RejectResults("late").ok());
  EXPECT_EQ(*store_->CountAnswersSinceNewestModel(), 1);
  // A newest row from before schema version 9 (no total): answers to lists started after it.
  db_->ExecSql("UPDATE models SET answers_at_registration = NULL WHERE task_id = 'train-0'");
  EXPECT_EQ(*store_->CountAnswersSinceNewestModel(), 0);

  Pause();
  ASSERT_TRUE(store_->RegisterModel({.task_id = "train-1", .status = "pending"}).ok());
  auto after = store_->CountAnswersSinceNewestModel();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, 0);
}

TEST_P(StoreTest, AModelKeepsItsRegisteredReasonAfterLaterTransitions) {
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "train-1",
                                   .status = "pending",
                                   .reason = "auto: 5012 new labels since the last training"})
                  .ok());
  ASSERT_TRUE(store_
                  ->TransitionModel({.model_id = "train-1",
                                     .from = ModelState::kPending,
                                     .to = ModelState::kFailed,
                                     .reason = "not enough rows"})
                  .ok());
  auto m = store_->GetModel("train-1");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->reason, "not enough rows");
  EXPECT_EQ((*m)->registered_reason, "auto: 5012 new labels since the last training");
  auto all = store_->ListModels();
  ASSERT_TRUE(all.ok() && all->size() == 1u);
  EXPECT_EQ((*all)[0].registered_reason, "auto: 5012 new labels since the last training");
}

}  // namespace
}  // namespace mlprod::store::testing
