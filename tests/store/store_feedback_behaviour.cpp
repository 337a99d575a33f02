// The live feedback part of the Store contract (picks, no picks, model_feedback), run against
// every backend (instantiated in sqlite_store_test.cpp and postgres_store_test.cpp).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

constexpr int kLocations = 30;

// Scores not in location order, so the rank is really computed from scores.
std::vector<ScoredLocation> Scores(int n) {
  std::vector<ScoredLocation> out;
  for (int i = 1; i <= n; ++i) out.push_back({i, ((i * 7) % n) / double(n)});
  return out;
}

// A task "task" scored by `model` with `shown` results shown; returns them in shown order.
std::vector<ResultRow> ShownTask(Store& store, const std::string& task, const std::string& model,
                                 int shown,
                                 std::vector<ScoredLocation> scores = Scores(kLocations)) {
  auto uid = store.StartInference(SampleUser(task), task);
  EXPECT_TRUE(uid.ok());
  EXPECT_TRUE(store.SaveResults(task, *uid, model, scores).ok());
  auto top = store.TopResults(task, shown);
  EXPECT_TRUE(top.ok());
  return top.ok() ? *top : std::vector<ResultRow>{};
}

TEST_P(StoreTest, FirstPickCountsOnceAtItsShownPosition) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  const auto top = ShownTask(*store_, "a", "m1", 10);
  ASSERT_EQ(top.size(), 10u);

  auto first = store_->SelectResult("a", top[3].location_id);
  ASSERT_TRUE(first.ok() && first->has_value()) << first.error().message;
  EXPECT_EQ((*first)->row.label, 1);
  EXPECT_EQ((*first)->feedback.model_id, "m1");
  EXPECT_EQ((*first)->feedback.position, 3);
  EXPECT_TRUE((*first)->feedback.counted);
  EXPECT_EQ(db_->CountSql("SELECT feedback FROM inferences WHERE task_id = 'a'"), 3);

  // The same pick again is a repeat: the row, nothing written. A changed pick and a later "no
  // pick" are conflicts: the first answer stands.
  auto again = store_->SelectResult("a", top[3].location_id);
  ASSERT_TRUE(again.ok() && again->has_value()) << again.error().message;
  EXPECT_TRUE((*again)->feedback.repeated);
  EXPECT_FALSE((*again)->feedback.counted);
  EXPECT_EQ((*again)->row.label, 1);
  auto changed = store_->SelectResult("a", top[0].location_id);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, ErrorCode::kConflict);
  auto rejected = store_->RejectResults("a");
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code, ErrorCode::kConflict);
  EXPECT_EQ(CountEvents(kEventSelection), 1);
  EXPECT_EQ(CountEvents(kEventGoodInference), 1);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE label = 1"), 1);

  auto f = store_->GetModelFeedback("m1");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->lists, 1);
  EXPECT_EQ(f->picks, 1);
  EXPECT_EQ(f->no_picks, 0);
  EXPECT_EQ(f->pick_positions[3], 1);
  EXPECT_EQ(f->pick_positions[0], 0);
  EXPECT_EQ(db_->CountSql("SELECT feedback FROM inferences WHERE task_id = 'a'"), 3);
}

TEST_P(StoreTest, PickNeverShownIsRefusedAndWritesNothing) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  const auto top = ShownTask(*store_, "a", "m1", 5);
  std::int64_t unshown = 0;
  for (std::int64_t id = 1; id <= kLocations && unshown == 0; ++id) {
    bool shown = false;
    for (const auto& r : top) shown = shown || r.location_id == id;
    if (!shown) unshown = id;
  }
  auto sel = store_->SelectResult("a", unshown);
  ASSERT_FALSE(sel.ok());
  EXPECT_EQ(sel.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE label = 1"), 0);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE feedback IS NOT NULL"), 0);
  EXPECT_EQ(CountEvents(kEventSelection), 0);
  EXPECT_EQ(store_->GetModelFeedback("m1")->lists, 0);
  // The refused pick did not take the task's answer: a shown one still can.
  auto shown = store_->SelectResult("a", top[1].location_id);
  ASSERT_TRUE(shown.ok() && shown->has_value()) << shown.error().message;
  EXPECT_TRUE((*shown)->feedback.counted);
}

TEST_P(StoreTest, EqualScoresRankByResultId) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  std::vector<ScoredLocation> equal;
  for (int i = 1; i <= kLocations; ++i) equal.push_back({i, 0.5});
  const auto top = ShownTask(*store_, "a", "m1", 10, equal);
  ASSERT_EQ(top.size(), 10u);
  auto sel = store_->SelectResult("a", top[6].location_id);
  ASSERT_TRUE(sel.ok() && sel->has_value());
  EXPECT_EQ((*sel)->feedback.position, 6);
}

// Shown rows keep the rank they were shown at, and a wider read of the same list keeps the
// earlier rows' ranks; a row an older mlprod marked shown without its rank is ranked by score.
TEST_P(StoreTest, ShownRowsKeepTheirRankAndOlderShownRowsAreRankedByScore) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  const auto top4 = ShownTask(*store_, "a", "m1", 4);
  ASSERT_EQ(top4.size(), 4u);
  auto top8 = store_->TopResults("a", 8);
  ASSERT_TRUE(top8.ok());
  ASSERT_EQ(top8->size(), 8u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ((*top8)[i].location_id, top4[i].location_id);
  for (size_t i = 1; i < 8; ++i) EXPECT_GE((*top8)[i - 1].score, (*top8)[i].score);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'a' AND shown AND "
                          "shown_rank IS NOT NULL"),
            8);
  auto sel = store_->SelectResult("a", (*top8)[5].location_id);
  ASSERT_TRUE(sel.ok() && sel->has_value());
  EXPECT_EQ((*sel)->feedback.position, 5);

  const auto old = ShownTask(*store_, "b", "m1", 10);
  ASSERT_EQ(old.size(), 10u);
  db_->ExecSql("UPDATE results SET shown_rank = NULL WHERE task_id = 'b'");
  auto legacy = store_->SelectResult("b", old[7].location_id);
  ASSERT_TRUE(legacy.ok() && legacy->has_value());
  EXPECT_EQ((*legacy)->feedback.position, 7);
}

TEST_P(StoreTest, NoPickCountsForTheModelOfTheTaskResults) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  ShownTask(*store_, "a", "m1", 10);
  const auto b = ShownTask(*store_, "b", "m2", 10);
  auto rejected = store_->RejectResults("b");
  ASSERT_TRUE(rejected.ok()) << rejected.error().message;
  EXPECT_EQ(rejected->model_id, "m2");
  EXPECT_EQ(rejected->position, kNoPick);
  EXPECT_TRUE(rejected->counted);
  EXPECT_FALSE(rejected->repeated);
  // "No pick" again is a repeat; a pick after it a conflict.
  auto twice = store_->RejectResults("b");
  ASSERT_TRUE(twice.ok()) << twice.error().message;
  EXPECT_TRUE(twice->repeated);
  EXPECT_FALSE(twice->counted);
  auto late = store_->SelectResult("b", b[0].location_id);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  EXPECT_EQ(CountEvents(kEventBadInference), 1);
  ASSERT_TRUE(store_->SelectResult("a", b[1].location_id).ok());
  EXPECT_EQ(db_->CountSql("SELECT feedback FROM inferences WHERE task_id = 'b'"), -1);

  auto all = store_->ListModelFeedback();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at("m2").no_picks, 1);
  EXPECT_EQ(all->at("m2").picks, 0);
  EXPECT_EQ(all->at("m2").lists, 1);
  EXPECT_EQ(all->at("m1").picks, 1);
  auto unknown = store_->GetModelFeedback("never-used");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->lists, 0);
  EXPECT_EQ(unknown->pick_positions[0], 0);
}

// Racing answers from two stores (two processes' pools): exactly one wins; every other answer
// is a repeat of it or a conflict; one label, one count, one pair of events.
TEST_P(StoreTest, ConcurrentAnswersFromTwoStoresLeaveOneOutcome) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  const auto top = ShownTask(*store_, "a", "m1", 10);
  auto other = OpenAnother();
  constexpr int kThreads = 8;
  std::atomic<int> counted{0}, repeated{0}, conflicts{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    Store& s = i % 2 == 0 ? *store_ : *other;
    threads.emplace_back([&, i] {
      for (int round = 0; round < 3; ++round) {
        FeedbackOutcome outcome;
        ErrorCode code{};
        bool ok = false;
        if (i % 4 == 3) {
          auto r = s.RejectResults("a");
          ok = r.ok();
          if (ok) outcome = *r;
          if (!ok) code = r.error().code;
        } else {
          auto r = s.SelectResult("a", top[static_cast<size_t>(i % 3)].location_id);
          ok = r.ok() && r->has_value();
          if (ok) outcome = (*r)->feedback;
          if (!r.ok()) code = r.error().code;
        }
        if (ok && outcome.counted) ++counted;
        if (ok && outcome.repeated) ++repeated;
        if (!ok && code == ErrorCode::kConflict) ++conflicts;
        if (!ok && code != ErrorCode::kConflict) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counted.load(), 1);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(counted + repeated + conflicts, kThreads * 3);
  EXPECT_EQ(store_->GetModelFeedback("m1")->lists, 1);
  EXPECT_EQ(db_->CountSql("SELECT SUM(n) FROM model_feedback"), 1);
  EXPECT_EQ(CountEvents(kEventSelection), 1);
  EXPECT_EQ(CountEvents(kEventGoodInference) + CountEvents(kEventBadInference), 1);
  EXPECT_LE(db_->CountSql("SELECT COUNT(*) FROM results WHERE label = 1"), 1);
  const long long feedback = db_->CountSql("SELECT feedback FROM inferences WHERE task_id = 'a'");
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE label = 1"),
            feedback == kNoPick ? 0 : 1);
}

TEST_P(StoreTest, FailedCountLeavesNeitherLabelNorFeedback) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  const auto top = ShownTask(*store_, "a", "m1", 10);
  // Make the counter upsert fail inside the select's transaction.
  const bool pg = GetParam().name != "sqlite";
  if (pg) {
    db_->ExecSql("ALTER TABLE model_feedback ADD CONSTRAINT injected CHECK (n < 1)");
  } else {
    db_->ExecSql(
        "CREATE TRIGGER injected BEFORE INSERT ON model_feedback BEGIN "
        "SELECT RAISE(ABORT, 'injected'); END");
  }
  EXPECT_FALSE(store_->SelectResult("a", top[2].location_id).ok());
  EXPECT_FALSE(store_->RejectResults("a").ok());
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE label = 1"), 0);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE feedback IS NOT NULL"), 0);
  EXPECT_EQ(CountEvents(kEventSelection), 0);

  db_->ExecSql(pg ? "ALTER TABLE model_feedback DROP CONSTRAINT injected"
                  : "DROP TRIGGER injected");
  auto sel = store_->SelectResult("a", top[2].location_id);
  ASSERT_TRUE(sel.ok() && sel->has_value()) << sel.error().message;
  EXPECT_TRUE((*sel)->feedback.counted);
  EXPECT_EQ(store_->GetModelFeedback("m1")->pick_positions[2], 1);
}

}  // namespace
}  // namespace mlprod::store::testing

namespace mlprod::store::testing {
namespace {

// A canary's task: locations 1..n, shown in the order n, n-1, ..., 1 (the reverse of their
// scores' order), odd locations from the candidate "cand", even ones from "cur".
void InterleavedTask(Store& store, const std::string& task, int n) {
  auto uid = store.StartInference(SampleUser(task), task);
  ASSERT_TRUE(uid.ok());
  std::vector<ScoredLocation> scores;
  std::vector<int> ranks;
  std::vector<std::uint8_t> from_candidate;
  for (int i = 1; i <= n; ++i) {
    scores.push_back({i, i / double(n + 1)});  // location n scores highest...
    ranks.push_back(i - 1);                    // ...but location 1 is shown first
    from_candidate.push_back(i % 2);
  }
  ASSERT_TRUE(
      store.SaveInterleavedResults(task, *uid, "cur", scores, {"cand", ranks, from_candidate})
          .ok());
}

TEST_P(StoreTest, AnInterleavedListIsShownInItsOwnOrderWithEachRowsModel) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  InterleavedTask(*store_, "il", 12);
  auto top = store_->TopResults("il", 4);
  ASSERT_TRUE(top.ok()) << top.error().message;
  ASSERT_EQ(top->size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ((*top)[i].location_id, i + 1);
    EXPECT_EQ((*top)[i].model_id, i % 2 == 0 ? "cand" : "cur");
  }
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM inferences WHERE canary = 'cand'"), 1);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'il'"), 12);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE shown_rank IS NOT NULL"), 12);
}

// --keep-results: only the first N rows in shown order are stored, and they read back exactly
// as the top N of a store that keeps everything (equal scores: the earlier row first).
TEST_P(StoreTest, KeepingNResultsStoresTheFirstNInShownOrder) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  StoreOptions options;
  options.keep_results = 4;
  auto kept = OpenAnother(options);
  const auto top = ShownTask(*kept, "k", "m1", 10);
  const auto full = ShownTask(*store_, "f", "m1", 4);
  ASSERT_EQ(top.size(), 4u);
  ASSERT_EQ(full.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(top[i].location_id, full[i].location_id);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'k'"), 4);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'f'"), kLocations);

  std::vector<ScoredLocation> equal;
  for (int i = 1; i <= kLocations; ++i) equal.push_back({i, 0.5});
  ShownTask(*kept, "e", "m1", 10, equal);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'e' AND location_id <= 4"),
            4);

  InterleavedTask(*kept, "il", 12);  // shown order 1, 2, 3, ... although 12 scores highest
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'il'"), 4);
  EXPECT_EQ(db_->CountSql("SELECT MAX(location_id) FROM results WHERE task_id = 'il'"), 4);
  auto uid = kept->StartInference(SampleUser("r"), "r");
  ASSERT_TRUE(uid.ok());
  for (int delivery = 0; delivery < 2; ++delivery) {
    ASSERT_TRUE(kept->SaveResults("r", *uid, "m1", Scores(kLocations)).ok());
  }
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE task_id = 'r'"), 4);
}

TEST_P(StoreTest, FirstAnswersToInterleavedListsCountForTheCanaryNotPerModel) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  for (const char* t : {"c1", "c2", "c3", "c4"}) {
    InterleavedTask(*store_, t, 12);
    ASSERT_TRUE(store_->TopResults(t, 10).ok());
  }
  // Picks of the candidate's item (location 3, shown third), the current model's (location 2),
  // a no pick, and a repeated answer that does not count.
  auto a = store_->SelectResult("c1", 3);
  ASSERT_TRUE(a.ok() && a->has_value()) << a.error().message;
  EXPECT_EQ((*a)->feedback.position, 2);  // by shown rank, not by score
  EXPECT_EQ((*a)->feedback.canary, "cand");
  EXPECT_TRUE((*a)->feedback.counted);
  ASSERT_TRUE(store_->SelectResult("c2", 2).ok());
  ASSERT_TRUE(store_->RejectResults("c3").ok());
  EXPECT_EQ(store_->SelectResult("c1", 4).error().code, ErrorCode::kConflict);
  auto o = store_->GetCanaryOutcomes("cand");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->candidate_wins, 1);
  EXPECT_EQ(o->current_wins, 1);
  EXPECT_EQ(o->no_picks, 1);
  EXPECT_EQ(store_->GetModelFeedback("cand")->lists, 0);
  EXPECT_EQ(store_->GetModelFeedback("cur")->lists, 0);
  EXPECT_EQ(store_->GetCanaryOutcomes("other")->candidate_wins, 0);
}

}  // namespace
}  // namespace mlprod::store::testing
