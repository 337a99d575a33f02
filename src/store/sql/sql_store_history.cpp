// SqlStore: past loops written in bulk (`mlprod history`), the rows serving writes for a loop
// (users and events through the same writers StartInference and TopResults use).
#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "store/sql/query.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

// results.model_id of rows ranked by their list's model (inferences.model_id), as SaveRows.
const std::string kListModel;

// The result rows of one list in one statement; its text depends only on the row count and
// whether the list was explored, so each variant is prepared once per connection.
std::string ResultsInsert(const Dialect& d, size_t rows, bool explored) {
  const std::string p = d.param;
  const auto cast = [&p](const char* type) { return "CAST(" + p + " AS " + type + ")"; };
  std::string sql =
      "INSERT INTO results (task_id, user_id, location_id, score, label, shown, model_id, "
      "shown_rank, propensity, explored) SELECT " +
      cast("TEXT") + ", " + cast("BIGINT") + ", column1, column2, column3, true, " + cast("TEXT") +
      ", column4, " + (explored ? "column5, true" : "NULL, false") + " FROM (VALUES (" +
      cast("BIGINT") + ", " + cast("DOUBLE PRECISION") + ", " + cast("INTEGER") + ", " +
      cast("INTEGER") + (explored ? ", " + cast("DOUBLE PRECISION") : "") + ")";
  std::string row = ", (" + p + ", " + p + ", " + p + ", " + p + (explored ? ", " + p : "") + ")";
  for (size_t i = 1; i < rows; ++i) sql += row;
  return sql + ") AS v";
}

Status CheckLoop(const PastLoop& loop) {
  const auto bad = [&loop](const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, "past loop " + loop.task_id + ": " + what);
  };
  if (loop.task_id.empty()) return bad("empty task id");
  if (loop.time.empty()) return bad("no time");
  if (loop.shown.empty()) return bad("no shown rows");
  if (!loop.explored_propensities.empty() &&
      loop.explored_propensities.size() != loop.shown.size()) {
    return bad("one propensity per shown row needed");
  }
  for (double p : loop.explored_propensities) {
    if (!(p > 0 && p <= 1)) return bad("a propensity must be in (0, 1]");
  }
  if (!(loop.propensity > 0 && loop.propensity <= 1)) return bad("a propensity must be in (0, 1]");
  for (const ScoredLocation& sl : loop.shown) {
    if (!std::isfinite(sl.score)) return bad("non-finite score");
  }
  if (loop.answered && (loop.pick < -1 || loop.pick >= static_cast<int>(loop.shown.size()))) {
    return bad("pick outside the shown rows");
  }
  return OkStatus();
}

}  // namespace

Status SqlStore::AppendHistory(std::span<const PastLoop> loops) {
  for (const PastLoop& loop : loops) {
    if (Status st = CheckLoop(loop); !st.ok()) return st;
  }
  // Statement texts built before the write lock is taken.
  std::map<std::pair<size_t, bool>, std::string> results_sql;
  for (const PastLoop& loop : loops) {
    const std::pair<size_t, bool> key{loop.shown.size(), !loop.explored_propensities.empty()};
    if (!results_sql.contains(key))
      results_sql[key] = ResultsInsert(dialect_, key.first, key.second);
  }
  const std::string inference_sql[2] = {
      "INSERT INTO inferences (task_id, time_creation, time_get, time_update, user_id, status, "
      "model_id, feedback, explored, propensity) VALUES (:t, :tc, :tg, :tu, :u, 'SUCCESS', :m, :f, "
      "false, :p)",
      "INSERT INTO inferences (task_id, time_creation, time_get, time_update, user_id, status, "
      "model_id, feedback, explored, propensity) VALUES (:t, :tc, :tg, :tu, :u, 'SUCCESS', :m, :f, "
      "true, :p)",
  };
  return Write("append history", [&](soci::session& s) -> Status {
    // A batch touches more pages than SQLite's default 2 MB cache holds (random task ids in
    // three indexes): without a larger cache it spills and reads pages back mid-transaction.
    // Set on the connection of a maintenance process only; serving never calls this.
    if (target_.backend == Backend::kSqlite) Exec(s, "PRAGMA cache_size = -131072");
    // First answers per (counted model, position), added to model_feedback once per batch.
    std::map<std::pair<std::string, int>, long long> answers;
    for (const PastLoop& loop : loops) {
      const bool explored = !loop.explored_propensities.empty();
      const long long user_id = InsertUser(s, loop.user, loop.time);
      const int position = loop.pick < 0 ? kNoPick : std::min(loop.pick, kBeyondList);
      soci::indicator feedback_ind = loop.answered ? soci::i_ok : soci::i_null;
      // An explored inference has no list-wide propensity (its rows carry theirs).
      soci::indicator propensity_ind = explored ? soci::i_null : soci::i_ok;
      Query(s, inference_sql[explored ? 1 : 0], kReuse)
          .Use(loop.task_id)
          .Use(loop.time)
          .Use(loop.time)
          .Use(loop.time)
          .Use(user_id)
          .Use(loop.model_id)
          .Use(position, feedback_ind)
          .Use(loop.propensity, propensity_ind)
          .Run();

      std::vector<int> labels(loop.shown.size(), 0), ranks(loop.shown.size());
      if (loop.answered && loop.pick >= 0) labels[static_cast<size_t>(loop.pick)] = 1;
      Query q(s, results_sql.at({loop.shown.size(), explored}), kReuse);
      q.Use(loop.task_id).Use(user_id).Use(kListModel);  // the list's model is on its inference
      for (size_t i = 0; i < loop.shown.size(); ++i) {
        ranks[i] = static_cast<int>(i);
        q.Use(loop.shown[i].location_id).Use(loop.shown[i].score).Use(labels[i]).Use(ranks[i]);
        if (explored) q.Use(loop.explored_propensities[i]);
      }
      q.Run();

      Status events =
          loop.answered ? InsertEvents(s,
                                       {kEventInferenceStart, kEventResults, kEventSelection,
                                        loop.pick >= 0 ? kEventGoodInference : kEventBadInference},
                                       loop.time)
                        : InsertEvents(s, {kEventInferenceStart, kEventResults}, loop.time);
      if (!events.ok()) return events;
      if (!loop.answered) continue;
      ++answers[{explored ? std::string(kExploredFeedbackId) : loop.model_id, position}];
    }
    for (const auto& [key, n] : answers) {
      Query(s,
            "INSERT INTO model_feedback (model_id, position, n) VALUES (:m, :p, :n) "
            "ON CONFLICT (model_id, position) DO UPDATE SET n = model_feedback.n + excluded.n",
            kReuse)
          .Use(key.first)
          .Use(key.second)
          .Use(n)
          .Run();
    }
    return OkStatus();
  });
}

}  // namespace mlprod::store
