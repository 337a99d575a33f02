// Every statement of the serving loop and of training runs on an index, whatever the history:
// on a SQLite store filled with past loops, this records the SQL the store really executes for
// the loop's and training's calls (a trace on every connection the process opens) and fails
// when EXPLAIN QUERY PLAN shows a full scan of users, inferences, results or events. Newest-first
// reads may walk a partial index backwards (their LIMIT bounds them). Migrations are not in the
// loop and not checked; the debug pages' keyset cursor (ListUsers, ListResults, ListLocations
// with `after`) is checked to seek the primary key.
// GCC 12 with -fsanitize=address -O2 reports a false "may be used uninitialized" inside
// std::regex's std::function members (libstdc++ headers, not this file's code).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>

#include "store/sql/open_store.h"
#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

std::mutex g_mu;
std::set<std::string>* g_seen = nullptr;  // recording while set

int TraceStatement(unsigned, void*, void* stmt, void*) {
  const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(stmt));
  std::lock_guard lock(g_mu);
  if (g_seen != nullptr && sql != nullptr) g_seen->insert(sql);
  return 0;
}

int InstallTrace(sqlite3* db, char**, const struct sqlite3_api_routines*) {
  sqlite3_trace_v2(db, SQLITE_TRACE_STMT, TraceStatement, nullptr);
  return SQLITE_OK;
}

// Starts recording the statements of traced connections into seen, or stops (nullptr).
void Record(std::set<std::string>* seen) {
  std::lock_guard lock(g_mu);
  g_seen = seen;
}

using RawDb = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

// Stops recording and tracing, and opens the store's file again on an untraced connection for
// EXPLAIN (null, with a test failure, when it cannot be opened).
RawDb StopTracingAndReopen(const std::string& url) {
  Record(nullptr);
  sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(InstallTrace));
  sqlite3* raw = nullptr;
  if (sqlite3_open(url.substr(std::string("sqlite://").size()).c_str(), &raw) != SQLITE_OK) {
    ADD_FAILURE() << "cannot reopen " << url << ": " << sqlite3_errmsg(raw);
    sqlite3_close(raw);
    raw = nullptr;
  }
  return RawDb(raw, sqlite3_close);
}

// The plan's lines for sql (parameters unbound: the plan does not depend on their values).
std::vector<std::string> Plan(sqlite3* db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr) !=
      SQLITE_OK) {
    ADD_FAILURE() << "cannot explain: " << sqlite3_errmsg(db) << "\n" << sql;
    return out;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 3)));
  }
  sqlite3_finalize(st);
  return out;
}

// "SCAN <big table or its alias>" not on one of the partial indexes of the newest-first reads.
bool FullScan(const std::string& line) {
  static const std::regex scan(R"(^SCAN (users|inferences|results|events|u|i|r|x|ri)\b(.*)$)");
  static const std::regex bounded(R"(USING (COVERING )?INDEX (ix_results_explored)\b)");
  std::smatch m;
  if (!std::regex_search(line, m, scan)) return false;
  return !std::regex_search(m[2].str(), bounded);
}

PastLoop Loop(int i, int locations) {
  PastLoop loop;
  loop.user = SampleUser("past");
  loop.task_id = "past-" + std::to_string(i);
  loop.time = "2026-11-01T00:00:00.000Z";
  loop.model_id = "m1";
  for (int k = 0; k < 10; ++k) {
    loop.shown.push_back({1 + (i + k) % locations, 1.0 - 0.01 * k});
    if (i % 10 == 0) loop.explored_propensities.push_back(0.01);
  }
  loop.answered = i % 3 != 0;
  loop.pick = i % 5 == 0 ? -1 : i % 7;
  return loop;
}

TEST(SqliteQueryPlans, NoStatementOfTheLoopOrOfTrainingScansAGrowingTable) {
  std::string skip;
  auto db = CreateSqliteDatabase(skip);
  ASSERT_NE(db, nullptr) << skip;
  auto opened = OpenStore(db->url());  // configures SQLite before the extension initialises it
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  ASSERT_EQ(sqlite3_auto_extension(reinterpret_cast<void (*)()>(InstallTrace)), SQLITE_OK);
  constexpr int kLocations = 40;
  ASSERT_TRUE(store.Migrate().ok());
  ASSERT_TRUE(store.LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  ModelRow model;
  model.task_id = "m1";
  model.status = "promoted";
  model.use_percentage = 1;
  ASSERT_TRUE(store.RegisterModel(model).ok());
  std::vector<PastLoop> history;
  for (int i = 0; i < 3000; ++i) history.push_back(Loop(i, kLocations));
  ASSERT_TRUE(store.AppendHistory(history).ok());

  std::set<std::string> seen;
  Record(&seen);
  std::vector<ScoredLocation> scores;
  for (int k = 1; k <= kLocations; ++k) scores.push_back({k, k / 100.0});
  std::vector<int> ranks(kLocations);
  std::vector<std::uint8_t> from_candidate(kLocations);
  std::vector<double> propensities(kLocations, 0.02);
  for (int k = 0; k < kLocations; ++k) {
    ranks[k] = kLocations - 1 - k;
    from_candidate[k] = k % 2;
  }
  for (int kind = 0; kind < 3; ++kind) {
    const std::string task = "live-" + std::to_string(kind);
    auto uid = store.StartInference(SampleUser("live"), task);
    ASSERT_TRUE(uid.ok());
    ASSERT_TRUE(store.UpdateInferenceStatus(task, TaskState::kStarted).ok());
    Status saved =
        kind == 0 ? store.SaveResults(task, *uid, "m1", scores)
        : kind == 1
            ? store.SaveExploredResults(task, *uid, "m1", scores, Exploration{ranks, propensities})
            : store.SaveInterleavedResults(task, *uid, "m1", scores,
                                           Interleaving{"c1", ranks, from_candidate});
    ASSERT_TRUE(saved.ok()) << saved.error().message;
    ASSERT_TRUE(store.UpdateInferenceStatus(task, TaskState::kSuccess).ok());
    ASSERT_TRUE(store.GetInference(task).ok());
    auto top = store.TopResults(task, 10);
    ASSERT_TRUE(top.ok() && !top->empty());
    if (kind == 1) {
      ASSERT_TRUE(store.RejectResults(task).ok());
    } else {
      ASSERT_TRUE(store.SelectResult(task, (*top)[2].location_id).ok());
      ASSERT_TRUE(store.GetResult((*top)[2].result_id).ok());
    }
    ASSERT_TRUE(store.GetUser(*uid).ok());
  }
  ASSERT_TRUE(store.Info().ok());
  ASSERT_TRUE(store.GetModelFeedback("m1").ok());
  ASSERT_TRUE(store.ListModelFeedback().ok());
  ASSERT_TRUE(store.GetCanaryOutcomes("c1").ok());
  ASSERT_TRUE(store.ActiveModels().ok());
  ASSERT_TRUE(store.CountAnswersSinceNewestModel().ok());
  ASSERT_TRUE(store.ListUnfinishedInferences("", 100, std::nullopt).ok());
  ASSERT_TRUE(store.ListUnfinishedInferences("", 100, std::chrono::system_clock::now())
                  .ok());  // the sweeper
  auto explored = store.NewestExploredResults(200);
  ASSERT_TRUE(explored.ok() && !explored->empty());
  auto shown = store.NewestShownResults(500);
  ASSERT_TRUE(shown.ok() && shown->size() == 500u);
  std::vector<std::int64_t> ids;
  for (const auto& r : *shown) ids.push_back(r.result_id);
  ASSERT_TRUE(store.RecordDataset("train-1", ids).ok());
  // Retention, with one finished loop nobody answered among the history: every delete runs.
  auto idle = store.StartInference(SampleUser("idle"), "idle");
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE(store.SaveResults("idle", *idle, "m1", scores).ok());
  RetentionCursor cursor;
  auto deleted = store.DeleteExpiredHistory({.cutoff = "2999-01-01T00:00:00Z"}, cursor);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_GE(deleted->inferences, 1);
  EXPECT_GE(deleted->results, 1);
  const RawDb raw = StopTracingAndReopen(db->url());
  ASSERT_NE(raw, nullptr);
  int checked = 0;
  bool unfinished_on_its_index = false;
  for (const std::string& sql : seen) {
    if (!std::regex_search(
            sql, std::regex(R"(^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b)", std::regex::icase))) {
      continue;
    }
    ++checked;
    for (const std::string& line : Plan(raw.get(), sql)) {
      EXPECT_FALSE(FullScan(line)) << line << "\n  in: " << sql;
      if (sql.find("status IN ('PENDING', 'STARTED')") != std::string::npos &&
          line.find("ix_inferences_unfinished") != std::string::npos) {
        unfinished_on_its_index = true;
      }
    }
  }
  EXPECT_GT(checked, 25) << "the trace recorded too few statements";
  // Not a scan by the plan's words, but a walk over every finished inference without its index.
  EXPECT_TRUE(unfinished_on_its_index);
}

TEST(SqliteQueryPlans, KeysetPagesSeekThePrimaryKeyInsteadOfWalkingAnOffset) {
  std::string skip;
  auto db = CreateSqliteDatabase(skip);
  ASSERT_NE(db, nullptr) << skip;
  auto opened = OpenStore(db->url());
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  ASSERT_EQ(sqlite3_auto_extension(reinterpret_cast<void (*)()>(InstallTrace)), SQLITE_OK);
  constexpr int kLocations = 40;
  ASSERT_TRUE(store.Migrate().ok());
  ASSERT_TRUE(store.LoadLocationsIfEmpty(SampleLocations(kLocations)).ok());
  std::vector<PastLoop> history;
  for (int i = 0; i < 2000; ++i) history.push_back(Loop(i, kLocations));
  ASSERT_TRUE(store.AppendHistory(history).ok());

  std::set<std::string> seen;
  Record(&seen);
  ASSERT_TRUE(store.ListResults("", 0, 100, 15000).ok());
  ASSERT_TRUE(store.ListResults("past-7", 0, 100, 10).ok());
  ASSERT_TRUE(store.ListUsers(0, 100, 1500).ok());
  ASSERT_TRUE(store.ListLocations(0, 100, 20).ok());
  const RawDb raw = StopTracingAndReopen(db->url());
  ASSERT_NE(raw, nullptr);
  int pages = 0;
  for (const std::string& sql : seen) {
    static const std::regex cursor(R"((result_id|user_id|location_id) > [:?])");
    if (!std::regex_search(sql, cursor)) continue;
    ++pages;
    // One task's rows come from the task index (a few hundred at most, sorted in memory);
    // every other page seeks the primary key and reads it in order, no sort.
    const bool of_task = sql.find("substr(") != std::string::npos;
    bool seeks = false;
    for (const std::string& line : Plan(raw.get(), sql)) {
      EXPECT_FALSE(FullScan(line)) << line << "\n  in: " << sql;
      if (!of_task) {
        EXPECT_EQ(line.find("TEMP B-TREE"), std::string::npos) << line << "\n  in: " << sql;
      }
      seeks = seeks || line.find(of_task ? "ix_results_task_head" : "PRIMARY KEY (rowid>?)") !=
                           std::string::npos;
    }
    EXPECT_TRUE(seeks) << "no index seek in: " << sql;
  }
  EXPECT_EQ(pages, 4) << "the trace did not record the four keyset pages";
}

}  // namespace
}  // namespace mlprod::store::testing
