// The Store contract, run against every backend (instantiated in sqlite_store_test.cpp and
// postgres_store_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

using ::testing::ElementsAre;

constexpr int kLocations = 30;
constexpr long long kMigrations = 17;  // versions recorded in schema_migrations (schema.cpp)

std::vector<ScoredLocation> Scores(int n, double offset = 0) {
  std::vector<ScoredLocation> out;
  // Scores not in location order, so sorting is really exercised.
  for (int i = 1; i <= n; ++i) out.push_back({i, offset + ((i * 7) % n) / double(n)});
  return out;
}

TEST_P(StoreTest, MigratingTwiceKeepsOneSchemaAndTheData) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(3)).ok());
  auto st = store_->Migrate();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM schema_migrations"), kMigrations);
  EXPECT_EQ(store_->Info()->locations, 3);
}

TEST_P(StoreTest, ConcurrentMigrationsFromTwoStoresBothSucceed) {
  // Fresh database: the fixture's store already migrated, so use a second fresh one.
  std::string skip;
  auto fresh = GetParam().create(skip);
  ASSERT_NE(fresh, nullptr) << skip;
  auto a = OpenStore(fresh->url());
  auto b = OpenStore(fresh->url());
  ASSERT_TRUE(a.ok() && b.ok());
  Status sa, sb;
  std::thread ta([&] { sa = (*a)->Migrate(); });
  std::thread tb([&] { sb = (*b)->Migrate(); });
  ta.join();
  tb.join();
  EXPECT_TRUE(sa.ok()) << sa.error().message;
  EXPECT_TRUE(sb.ok()) << sb.error().message;
  EXPECT_EQ(fresh->CountSql("SELECT COUNT(*) FROM schema_migrations"), kMigrations);
  a->reset();
  b->reset();
}

TEST_P(StoreTest, LoadsLocationsOnlyIntoAnEmptyTable) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(5)).ok());
  EXPECT_EQ(store_->Info()->locations, kLocations);
  auto loc = store_->GetLocation(7);
  ASSERT_TRUE(loc.ok() && loc->has_value());
  const Location want = SampleLocations(7).back();
  EXPECT_EQ((*loc)->location_id, 7);
  EXPECT_DOUBLE_EQ((*loc)->price, want.price);
  EXPECT_DOUBLE_EQ((*loc)->user_score, want.user_score);
  EXPECT_DOUBLE_EQ((*loc)->lat, want.lat);
  EXPECT_EQ((*loc)->has_spa, true);
  EXPECT_EQ((*loc)->children, false);
  EXPECT_EQ((*loc)->animals, true);
  EXPECT_TRUE(IsIsoTimestamp((*loc)->creation_time)) << (*loc)->creation_time;
  EXPECT_FALSE(store_->GetLocation(999)->has_value());
}

TEST_P(StoreTest, ListsLocationsInIdOrderWithOffsetAndLimit) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  auto page = store_->ListLocations(5, 3);
  ASSERT_TRUE(page.ok()) << page.error().message;
  std::vector<std::int64_t> ids;
  for (const auto& l : *page) ids.push_back(l.location_id);
  EXPECT_THAT(ids, ElementsAre(6, 7, 8));
  EXPECT_EQ(store_->ListLocations(0, -1)->size(), size_t{kLocations});
  EXPECT_EQ(store_->ListLocations(28, -1)->size(), 2u);
}

TEST_P(StoreTest, ListsPagesAfterAKeysetCursor) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  auto ids_of = [](const auto& rows, auto id) {
    std::vector<std::int64_t> ids;
    for (const auto& r : rows) ids.push_back(id(r));
    return ids;
  };
  auto loc_id = [](const Location& l) { return l.location_id; };
  EXPECT_THAT(ids_of(*store_->ListLocations(0, 3, 5), loc_id), ElementsAre(6, 7, 8));
  EXPECT_THAT(ids_of(*store_->ListLocations(1, 2, 5), loc_id), ElementsAre(7, 8));  // and skip
  EXPECT_TRUE(store_->ListLocations(0, 3, kLocations)->empty());

  std::vector<std::int64_t> users;
  for (int i = 0; i < 5; ++i)
    users.push_back(*store_->StartInference(SampleUser("u"), "t" + std::to_string(i)));
  auto user_id = [](const User& u) { return u.user_id; };
  EXPECT_THAT(ids_of(*store_->ListUsers(0, 2, users[1]), user_id), ElementsAre(users[2], users[3]));
  EXPECT_THAT(ids_of(*store_->ListUsers(0, -1, users[3]), user_id), ElementsAre(users[4]));

  ASSERT_TRUE(store_->SaveResults("t1", users[1], "m", Scores(kLocations)).ok());
  ASSERT_TRUE(store_->SaveResults("t2", users[2], "m", Scores(kLocations)).ok());
  auto result_id = [](const ResultRow& r) { return r.result_id; };
  const auto all = ids_of(*store_->ListResults("", 0, -1), result_id);
  ASSERT_EQ(all.size(), size_t{2 * kLocations});
  // Walking every page by cursor visits each row once, in order.
  std::vector<std::int64_t> walked;
  std::optional<std::int64_t> after;
  while (true) {
    auto page = store_->ListResults("", 0, 7, after);
    ASSERT_TRUE(page.ok()) << page.error().message;
    if (page->empty()) break;
    for (const auto& r : *page) walked.push_back(r.result_id);
    after = page->back().result_id;
  }
  EXPECT_EQ(walked, all);
  // With a task filter: only that task's rows above the cursor.
  const auto t2 = ids_of(*store_->ListResults("t2", 0, -1), result_id);
  EXPECT_EQ(ids_of(*store_->ListResults("t2", 0, 3, t2[4]), result_id),
            (std::vector<std::int64_t>{t2[5], t2[6], t2[7]}));
  EXPECT_TRUE(store_->ListResults("t1", 0, 3, t2[0])->empty());  // t1's rows are all below
}

TEST_P(StoreTest, StartInferenceStoresUserPendingInferenceAndEvent) {
  const User in = SampleUser("ada");
  auto user_id = store_->StartInference(in, "task-1");
  ASSERT_TRUE(user_id.ok()) << user_id.error().message;
  auto user = store_->GetUser(*user_id);
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->name, "ada");
  EXPECT_EQ((*user)->people_num, 3);
  EXPECT_EQ((*user)->age_min, 8);
  EXPECT_EQ((*user)->age_max, 36);
  EXPECT_DOUBLE_EQ((*user)->age_avg, in.age_avg);
  EXPECT_DOUBLE_EQ((*user)->age_std, in.age_std);
  EXPECT_DOUBLE_EQ((*user)->budget, 1250.5);
  EXPECT_EQ((*user)->time_arrival, "2026-07-14");
  EXPECT_TRUE((*user)->pool && (*user)->lake && (*user)->sport);
  EXPECT_FALSE((*user)->spa || (*user)->mountain || (*user)->pet_friendly);
  EXPECT_TRUE(IsIsoTimestamp((*user)->creation_time)) << (*user)->creation_time;
  auto inf = store_->GetInference("task-1");
  ASSERT_TRUE(inf.ok() && inf->has_value());
  EXPECT_EQ((*inf)->status, TaskState::kPending);
  EXPECT_EQ((*inf)->user_id, *user_id);
  EXPECT_EQ((*inf)->time_get, "");
  EXPECT_TRUE(IsIsoTimestamp((*inf)->time_creation)) << (*inf)->time_creation;
  EXPECT_EQ(CountEvents(kEventInferenceStart), 1);
  EXPECT_FALSE(store_->GetInference("nope")->has_value());
}

TEST_P(StoreTest, DuplicateTaskIdIsAConflictAndWritesNothing) {
  ASSERT_TRUE(store_->StartInference(SampleUser("a"), "dup").ok());
  auto again = store_->StartInference(SampleUser("b"), "dup");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict) << again.error().message;
  EXPECT_EQ(store_->Info()->users, 1);  // the second user was rolled back with it
  EXPECT_EQ(CountEvents(kEventInferenceStart), 1);
}

TEST_P(StoreTest, UpdatesInferenceStatusWithEvent) {
  ASSERT_TRUE(store_->StartInference(SampleUser("a"), "t").ok());
  ASSERT_TRUE(store_->UpdateInferenceStatus("t", TaskState::kStarted).ok());
  auto inf = store_->GetInference("t");
  EXPECT_EQ((*inf)->status, TaskState::kStarted);
  EXPECT_TRUE(IsIsoTimestamp((*inf)->time_update)) << (*inf)->time_update;
  EXPECT_EQ(CountEvents(kEventStatus), 1);
  // The same status again (another poll) writes nothing; a change does; a final state stays.
  ASSERT_TRUE(store_->UpdateInferenceStatus("t", TaskState::kStarted).ok());
  EXPECT_EQ(CountEvents(kEventStatus), 1);
  ASSERT_TRUE(store_->UpdateInferenceStatus("t", TaskState::kFailure).ok());
  ASSERT_TRUE(store_->UpdateInferenceStatus("t", TaskState::kStarted).ok());
  EXPECT_EQ((*store_->GetInference("t"))->status, TaskState::kFailure);
  EXPECT_EQ(CountEvents(kEventStatus), 2);
  EXPECT_EQ(store_->UpdateInferenceStatus("unknown", TaskState::kStarted).error().code,
            ErrorCode::kNotFound);
}

TEST_P(StoreTest, ListsUnfinishedInferencesByTaskIdInPages) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(3)).ok());
  for (const char* t : {"c", "a", "d", "b"}) {
    ASSERT_TRUE(store_->StartInference(SampleUser(t), t).ok());
  }
  ASSERT_TRUE(store_->UpdateInferenceStatus("b", TaskState::kStarted).ok());
  auto uid = store_->StartInference(SampleUser("done"), "done");
  ASSERT_TRUE(uid.ok());
  ASSERT_TRUE(store_->SaveResults("done", *uid, "m", {{{1, 0.5}}}).ok());
  auto first = store_->ListUnfinishedInferences("", 3, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].task_id, "a");
  EXPECT_EQ((*first)[1].task_id, "b");  // STARTED counts too
  EXPECT_TRUE((*first)[0].user_id.has_value());
  auto rest = store_->ListUnfinishedInferences(first->back().task_id, 3, std::nullopt);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].task_id, "d");
}

TEST_P(StoreTest, AListsModelIsStoredOnceAndRowsStoredWithTheirOwnModelStillReadIt) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  auto uid = store_->StartInference(SampleUser("a"), "new");
  ASSERT_TRUE(uid.ok());
  ASSERT_TRUE(store_->SaveResults("new", *uid, "m-uuid", Scores(kLocations)).ok());
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE model_id <> ''"), 0);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE model_id = 'm-uuid'"), 1);
  auto rows = store_->ListResults("new", 0, -1);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), size_t{kLocations});
  for (const auto& r : *rows) EXPECT_EQ(r.model_id, "m-uuid");
  EXPECT_EQ(store_->RejectResults("new")->model_id, "m-uuid");

  // A list stored before inferences.model_id existed: the model on each row, none on the list.
  auto old_uid = store_->StartInference(SampleUser("b"), "old");
  ASSERT_TRUE(old_uid.ok());
  ASSERT_TRUE(store_->SaveResults("old", *old_uid, "m-old", Scores(kLocations)).ok());
  db_->ExecSql("UPDATE results SET model_id = 'm-old' WHERE task_id = 'old'");
  db_->ExecSql("UPDATE inferences SET model_id = NULL WHERE task_id = 'old'");
  auto top = store_->TopResults("old", 3);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 3u);
  for (const auto& r : *top) EXPECT_EQ(r.model_id, "m-old");
  auto picked = store_->SelectResult("old", (*top)[0].location_id);
  ASSERT_TRUE(picked.ok() && picked->has_value());
  EXPECT_EQ((*picked)->feedback.model_id, "m-old");
}

TEST_P(StoreTest, ListsOnlyInferencesUnfinishedSinceTheCutoffAndTouchPostponesThem) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(3)).ok());
  for (const char* t : {"old-a", "old-b", "old-c"}) {
    ASSERT_TRUE(store_->StartInference(SampleUser(t), t).ok());
  }
  auto done = store_->StartInference(SampleUser("old-done"), "old-done");
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(store_->SaveResults("old-done", *done, "m", {{{1, 0.5}}}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto cutoff = std::chrono::system_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(store_->StartInference(SampleUser("new"), "new").ok());
  ASSERT_TRUE(
      store_->UpdateInferenceStatus("old-b", TaskState::kStarted).ok());  // updated after cutoff
  const std::string touched[] = {"old-c", "old-done", "unknown"};
  ASSERT_TRUE(store_->TouchUnfinishedInferences(touched, std::chrono::system_clock::now()).ok());

  auto stale = store_->ListUnfinishedInferences("", 10, cutoff);
  ASSERT_TRUE(stale.ok()) << stale.error().message;
  ASSERT_EQ(stale->size(), 1u);
  EXPECT_EQ((*stale)[0].task_id, "old-a");
  EXPECT_TRUE((*stale)[0].user_id.has_value());
  auto all = store_->ListUnfinishedInferences("", 10, std::chrono::system_clock::now());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);  // every unfinished row: the finished one never
  EXPECT_EQ((*store_->GetInference("old-done"))->status, TaskState::kSuccess);
  EXPECT_EQ((*store_->GetInference("old-c"))->status,
            TaskState::kPending);  // touch keeps the status
}

TEST_P(StoreTest, InferenceLoopFromStartToPick) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  auto uid = store_->StartInference(SampleUser("a"), "loop");
  ASSERT_TRUE(uid.ok());
  const auto scores = Scores(kLocations);
  ASSERT_TRUE(store_->SaveResults("loop", *uid, "baseline", scores).ok());
  // A redelivered task: same call again must not duplicate rows.
  ASSERT_TRUE(store_->SaveResults("loop", *uid, "baseline", Scores(kLocations, 5)).ok());
  EXPECT_EQ(store_->ListResults("loop", 0, -1)->size(), size_t{kLocations});
  EXPECT_EQ((*store_->GetInference("loop"))->status, TaskState::kSuccess);

  auto top = store_->TopResults("loop", 5);
  ASSERT_TRUE(top.ok()) << top.error().message;
  ASSERT_EQ(top->size(), 5u);
  for (size_t i = 1; i < top->size(); ++i) EXPECT_GE((*top)[i - 1].score, (*top)[i].score);
  EXPECT_DOUBLE_EQ((*top)[0].score, (kLocations - 1) / double(kLocations));
  for (const auto& r : *top) {
    EXPECT_TRUE(r.shown);
    EXPECT_EQ(r.model_id, "baseline");
    EXPECT_EQ(r.location.location_id, r.location_id);
    EXPECT_EQ(r.user_id, *uid);
    EXPECT_TRUE(store_->GetResult(r.result_id).value()->shown);
  }
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE shown"), 5);
  EXPECT_TRUE(IsIsoTimestamp((*store_->GetInference("loop"))->time_get));
  EXPECT_EQ(CountEvents(kEventResults), 1);

  const std::int64_t pick = (*top)[2].location_id;
  auto selected = store_->SelectResult("loop", pick);
  ASSERT_TRUE(selected.ok() && selected->has_value()) << selected.error().message;
  EXPECT_EQ((*selected)->row.label, 1);
  EXPECT_EQ((*selected)->row.location_id, pick);
  EXPECT_EQ(CountEvents(kEventSelection), 1);
  EXPECT_EQ(CountEvents(kEventGoodInference), 1);
  EXPECT_FALSE(store_->SelectResult("loop", 999)->has_value());
  EXPECT_FALSE(store_->SelectResult("other", pick)->has_value());
  EXPECT_EQ(CountEvents(kEventSelection), 1);

  // The pick is the task's answer: "no pick" after it is refused and logs nothing.
  EXPECT_EQ(store_->RejectResults("loop").error().code, ErrorCode::kConflict);
  EXPECT_EQ(CountEvents(kEventSelection), 1);
  EXPECT_EQ(CountEvents(kEventBadInference), 0);
  EXPECT_EQ(store_->RejectResults("unknown").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, TopResultsOfUnknownTaskIsEmptyAndLogsNothing) {
  auto top = store_->TopResults("none", 10);
  ASSERT_TRUE(top.ok());
  EXPECT_TRUE(top->empty());
  EXPECT_EQ(CountEvents(kEventResults), 0);
}

TEST_P(StoreTest, NewestShownResultsAreNewestFirstAndLimited) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  for (int t = 0; t < 3; ++t) {
    const std::string task = "t" + std::to_string(t);
    auto uid = store_->StartInference(SampleUser(task), task);
    ASSERT_TRUE(store_->SaveResults(task, *uid, "m", Scores(10)).ok());
    ASSERT_TRUE(store_->TopResults(task, 4).ok());
  }
  ASSERT_TRUE(store_->SelectResult("t2", 7).ok());
  auto rows = store_->NewestShownResults(6);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 6u);
  for (size_t i = 1; i < rows->size(); ++i)
    EXPECT_GT((*rows)[i - 1].result_id, (*rows)[i].result_id);
  // The newest 6 shown rows are t2's 4 and then 2 of t1's.
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ((*rows)[i].user.name, "t2");
  for (size_t i = 4; i < 6; ++i) EXPECT_EQ((*rows)[i].user.name, "t1");
  int labels = 0;
  for (const auto& r : *rows) {
    labels += r.label;
    if (r.label == 1) {
      EXPECT_EQ(r.location.location_id, 7);
    }
  }
  EXPECT_EQ(labels, 1);
  EXPECT_EQ(store_->NewestShownResults(100)->size(), 12u);
}

TEST_P(StoreTest, RecordDatasetIsIdempotentAndLogsTraining) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  auto uid = store_->StartInference(SampleUser("a"), "t");
  ASSERT_TRUE(store_->SaveResults("t", *uid, "m", Scores(kLocations)).ok());
  std::vector<std::int64_t> ids;
  auto first10 = store_->ListResults("t", 0, 10);
  ASSERT_TRUE(first10.ok());
  for (const auto& r : *first10) ids.push_back(r.result_id);
  ASSERT_TRUE(store_->RecordDataset("train-1", ids).ok());
  ASSERT_TRUE(store_->RecordDataset("train-1", ids).ok());
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM datasets WHERE task_id = 'train-1'"), 10);
  EXPECT_EQ(CountEvents(kEventTraining), 2);
  const std::int64_t missing[] = {123456};
  EXPECT_FALSE(store_->RecordDataset("train-2", missing).ok()) << "foreign key to results";
}

TEST_P(StoreTest, InfoCountsLocationsAndUsers) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(12)).ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store_->StartInference(SampleUser("u"), "t" + std::to_string(i)).ok());
  }
  auto info = store_->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->locations, 12);
  EXPECT_EQ(info->users, 4);
  EXPECT_EQ(store_->ListUsers(1, 2)->size(), 2u);
  EXPECT_EQ(store_->ListUsers(1, 2).value()[0].user_id,
            store_->ListUsers(0, -1).value()[1].user_id);
}

TEST_P(StoreTest, ConcurrentInferencesNeitherFailNorDuplicate) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  constexpr int kThreads = 8, kPerThread = 25;
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string task = "c-" + std::to_string(t) + "-" + std::to_string(i);
        auto uid = store_->StartInference(SampleUser(task), task);
        Status st =
            uid.ok() ? store_->SaveResults(task, *uid, "m", Scores(kLocations)) : uid.error();
        // Half the tasks are "redelivered": a second SaveResults must add nothing.
        if (st.ok() && i % 2 == 0) st = store_->SaveResults(task, *uid, "m", Scores(kLocations));
        if (st.ok() && i % 3 == 0) st = store_->TopResults(task, 3).ok() ? OkStatus() : st;
        if (!st.ok()) {
          ++failures;
          std::lock_guard lock(mu);
          first_error = st.error().message;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << first_error;
  EXPECT_EQ(store_->Info()->users, kThreads * kPerThread);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results"), kThreads * kPerThread * kLocations);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE status = 'SUCCESS'"),
            kThreads * kPerThread);
}

TEST_P(StoreTest, ResultsLongerThanOneInsertAreSavedWholeAndOnce) {
  constexpr int kMany = 1100;  // three INSERT statements
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kMany)).ok());
  auto uid = store_->StartInference(SampleUser("many"), "many");
  ASSERT_TRUE(uid.ok());
  for (int delivery = 0; delivery < 2; ++delivery) {
    Status st = store_->SaveResults("many", *uid, "m", Scores(kMany));
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'many'"), kMany);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(DISTINCT location_id) FROM results"), kMany);
}

TEST_P(StoreTest, ResultsForAnUnknownUserOrLocationAreRejectedWhole) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  auto uid = store_->StartInference(SampleUser("refs"), "refs");
  ASSERT_TRUE(uid.ok());
  auto scores = Scores(kLocations);
  scores.push_back({kLocations + 1, 0.5});  // no such location
  Status st = store_->SaveResults("refs", *uid, "m", scores);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict) << st.error().message;
  EXPECT_THAT(st.error().message, ::testing::HasSubstr("location_id")) << st.error().message;
  st = store_->SaveResults("refs", *uid + 1000, "m", Scores(kLocations));  // no such user
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict) << st.error().message;
  EXPECT_THAT(st.error().message, ::testing::HasSubstr("user_id")) << st.error().message;
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results"), 0);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE status = 'SUCCESS'"), 0);
  ASSERT_TRUE(store_->SaveResults("refs", *uid, "m", Scores(kLocations)).ok());
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results"), kLocations);
}

TEST_P(StoreTest, OneTaskSavedByManyWorkersAtOnceKeepsOneCopyAndAllSucceed) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  auto uid = store_->StartInference(SampleUser("race"), "race");
  ASSERT_TRUE(uid.ok());
  // A redelivered message racing the original: the inference row serialises the writers.
  constexpr int kWriters = 6;
  std::latch start(kWriters);
  std::vector<Status> results(kWriters, OkStatus());
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      start.arrive_and_wait();
      results[static_cast<size_t>(w)] = store_->SaveResults("race", *uid, "m", Scores(kLocations));
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& st : results) EXPECT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'race'"), kLocations);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE status = 'SUCCESS'"), 1);
}

}  // namespace
}  // namespace mlprod::store::testing
