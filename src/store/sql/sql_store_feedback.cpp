// SqlStore: the user's answer to a result list (pick or no pick) and the live feedback per model
// it counts (schema migration 5: inferences.feedback, model_feedback; migration 6: the canary's
// interleaved lists in canary_outcomes). One answer per task: the first wins, decided by one
// conditional UPDATE of inferences.feedback; the same answer again is a repeat, another 409.
#include <algorithm>

#include "store/sql/query.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

void Add(ModelFeedback& f, int position, long long n) {
  if (position == kNoPick) {
    f.no_picks += n;
  } else if (position >= 0 && position <= kBeyondList) {
    f.pick_positions[static_cast<size_t>(position)] += n;
    f.picks += n;
  } else {
    return;  // not a position this store writes
  }
  f.lists += n;
}

}  // namespace

void SqlStore::CountFirstFeedback(soci::session& s, const std::string& task_id,
                                  FeedbackOutcome& outcome) {
  // The row lock taken by this UPDATE makes a concurrent first answer (another API process)
  // wait and then see feedback set: exactly one of them counts. RETURNING (SQLite ≥ 3.35,
  // PostgreSQL) reads the list's kind in the same statement.
  int explored = 0;
  Query first(s,
              "UPDATE inferences SET feedback = :p WHERE task_id = :t AND feedback IS NULL "
              "RETURNING COALESCE(canary, ''), CASE WHEN explored THEN 1 ELSE 0 END",
              kReuse);
  first.Use(outcome.position).Use(task_id).Into(outcome.canary).Into(explored);
  if (!first.Run()) return;
  outcome.counted = true;
  outcome.explored = explored != 0;
  if (!outcome.canary.empty()) {
    // An interleaved list is evidence for the canary, not a list one model ranked alone.
    const std::string result = outcome.position == kNoPick          ? "no_pick"
                               : outcome.model_id == outcome.canary ? "candidate"
                                                                    : "current";
    Query(s,
          "INSERT INTO canary_outcomes (candidate_id, outcome, n) VALUES (:c, :o, 1) "
          "ON CONFLICT (candidate_id, outcome) DO UPDATE SET n = canary_outcomes.n + 1",
          kReuse)
        .Use(outcome.canary)
        .Use(result)
        .Run();
    return;
  }
  const std::string counted_for =
      outcome.explored ? std::string(kExploredFeedbackId) : outcome.model_id;
  Query(s,
        "INSERT INTO model_feedback (model_id, position, n) VALUES (:m, :p, 1) "
        "ON CONFLICT (model_id, position) DO UPDATE SET n = model_feedback.n + 1",
        kReuse)
      .Use(counted_for)
      .Use(outcome.position)
      .Run();
}

Result<std::optional<Selection>> SqlStore::SelectResult(const std::string& task_id,
                                                        std::int64_t location_id) {
  const long long loc = location_id;
  // The row, its rank among the task's shown rows (the results route's order) and whether the
  // task was answered already, read before the write so SQLite's single write lock is held only
  // for the writes. A shown row carries its rank (TopResults); only a row of a plain list shown
  // by an older mlprod, which did not keep it, is ranked by counting (CASE evaluates that
  // subquery for such rows alone). The read decides nothing: the write's conditional UPDATE
  // does (two racing first picks both read "unanswered").
  std::optional<Selection> out;
  long long shown_rank = 0;
  int answered_before = 0;
  Status st = Read("read selected result", [&](soci::session& s) {
    out.reset();
    ResultReader r;
    Query q(s,
            std::string("SELECT ") + ResultReader::kColumns + ", " + LocationReader::kColumns +
                ", CASE WHEN NOT r.shown THEN 0 WHEN r.shown_rank IS NOT NULL THEN r.shown_rank"
                " ELSE (SELECT COUNT(*) FROM results x WHERE " +
                ResultsOfTask("x", "r.task_id") +
                " AND x.shown"
                " AND (x.score > r.score OR (x.score = r.score AND x.result_id < r.result_id)))"
                " END, CASE WHEN ri.feedback IS NULL THEN 0 ELSE 1 END"
                " FROM results r JOIN locations l ON l.location_id = r.location_id " +
                ResultReader::kJoin + " WHERE " + ResultsOfTask("r", ":t") +
                " AND r.location_id = :l",
            kReuse);
    q.Use(task_id).Use(loc);
    r.Bind(q);
    q.Into(shown_rank).Into(answered_before);
    if (!q.Run()) return OkStatus();
    Selection sel;
    sel.row = r.Get();
    sel.feedback.model_id = sel.row.model_id;
    sel.feedback.position = static_cast<int>(std::min<long long>(shown_rank, kBeyondList));
    out = std::move(sel);
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  if (!out) return out;  // no such result: nothing to write or log
  if (!out->row.shown) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "location " + std::to_string(loc) + " was not shown for this task");
  }
  const Error conflict =
      MakeError(ErrorCode::kConflict, "task " + task_id + " already has an answer");
  if (answered_before != 0) {
    // Already answered: this pick again is a repeat (nothing to write), anything else a
    // conflict. An older mlprod may have labelled several rows; any of them repeats.
    if (out->row.label != 1) return conflict;
    out->feedback.repeated = true;
    return out;
  }
  const long long result_id = out->row.result_id;
  // Another answer won the race since the read: the same pick again is a repeat, any other a
  // conflict (read anew, so it sees the winner's commit).
  auto settle_lost_race = [&](soci::session& s) -> Status {
    int label = 0;
    Query(s, "SELECT label FROM results WHERE result_id = :r", kReuse)
        .Use(result_id)
        .Into(label)
        .Run();
    if (label != 1) return conflict;
    out->feedback.repeated = true;
    return OkStatus();
  };
  if (postgres()) {
    // One statement, committed on its own, with what CountFirstFeedback and the SQLite
    // transaction below do: the decision (the conditional UPDATE of the inference row, whose row
    // lock makes a racing answer wait and then find feedback set), and only for its winner the
    // label, the counter of the canary or the model, and the events.
    st = WriteStatement("select result", [&](soci::session& s) -> Status {
      FeedbackOutcome& f = out->feedback;
      f.counted = false;
      f.repeated = false;
      const std::string now = NowIso();
      const std::string explored_id = kExploredFeedbackId, selection = kEventSelection,
                        good = kEventGoodInference;
      const int no_pick = f.position == kNoPick ? 1 : 0;
      int explored = -1;
      std::string canary;
      Query q(
          s,
          "WITH f AS (UPDATE inferences SET feedback = :p WHERE task_id = :t AND feedback IS "
          "NULL RETURNING COALESCE(canary, '') AS c, explored AS x), "
          "l AS (UPDATE results SET label = 1 WHERE result_id = :r AND EXISTS (SELECT 1 FROM f) "
          "RETURNING 1), "
          "mf AS (INSERT INTO model_feedback (model_id, position, n) "
          "SELECT CASE WHEN f.x THEN CAST(:xid AS TEXT) ELSE CAST(:m AS TEXT) END, "
          "CAST(:p AS INTEGER), 1 FROM f WHERE f.c = '' "
          "ON CONFLICT (model_id, position) DO UPDATE SET n = model_feedback.n + 1), "
          "co AS (INSERT INTO canary_outcomes (candidate_id, outcome, n) "
          "SELECT f.c, CASE WHEN CAST(:np AS INTEGER) = 1 THEN 'no_pick' "
          "WHEN f.c = CAST(:m AS TEXT) THEN 'candidate' ELSE 'current' END, 1 "
          "FROM f WHERE f.c <> '' "
          "ON CONFLICT (candidate_id, outcome) DO UPDATE SET n = canary_outcomes.n + 1), "
          "e AS (INSERT INTO events (event, time_event) "
          "SELECT CAST(v.e AS TEXT), CAST(:n AS TIMESTAMPTZ) FROM (VALUES (CAST(:e1 AS TEXT)), "
          "(CAST(:e2 AS TEXT))) AS v (e) WHERE EXISTS (SELECT 1 FROM f)) "
          "SELECT COALESCE((SELECT c FROM f), ''), "
          "COALESCE((SELECT CASE WHEN x THEN 1 ELSE 0 END FROM f), -1)",
          kReuse);
      q.Use(f.position).Use(task_id).Use(result_id);
      q.Use(explored_id).Use(f.model_id).Use(f.position);
      q.Use(no_pick).Use(f.model_id);
      q.Use(now).Use(selection).Use(good);
      q.Into(canary).Into(explored).Run();
      f.counted = explored >= 0;
      f.explored = explored == 1;
      f.canary = f.counted ? canary : std::string();
      return f.counted ? OkStatus() : settle_lost_race(s);
    });
  } else {
    st = Write("select result", [&](soci::session& s) -> Status {
      out->feedback.counted = false;  // a retried body starts over
      out->feedback.repeated = false;
      // The decision: one conditional UPDATE of the inference row; only the first answer gets
      // its row back.
      CountFirstFeedback(s, task_id, out->feedback);
      if (!out->feedback.counted) return settle_lost_race(s);
      Query(s, "UPDATE results SET label = 1 WHERE result_id = :r", kReuse).Use(result_id).Run();
      const std::string now = NowIso();
      return InsertEvents(s, {kEventSelection, kEventGoodInference}, now);
    });
  }
  if (!st.ok()) return st.error();
  out->row.label = 1;
  return out;
}

Result<FeedbackOutcome> SqlStore::RejectResults(const std::string& task_id) {
  FeedbackOutcome outcome;
  Status st = Write("reject results", [&](soci::session& s) -> Status {
    outcome = FeedbackOutcome{};
    Query model(s,
                std::string("SELECT ") + ResultReader::kModel + " FROM results r " +
                    ResultReader::kJoin + " WHERE " + ResultsOfTask("r", ":t") + " LIMIT 1",
                kReuse);
    model.Use(task_id).Into(outcome.model_id);
    if (!model.Run()) {
      return MakeError(ErrorCode::kNotFound, "no results for task id '" + task_id + "'");
    }
    CountFirstFeedback(s, task_id, outcome);
    if (!outcome.counted) {
      // Answered before: "no pick" again is a repeat, after a pick a conflict.
      int feedback = 0;
      Query(s, "SELECT COALESCE(feedback, 0) FROM inferences WHERE task_id = :t", kReuse)
          .Use(task_id)
          .Into(feedback)
          .Run();
      if (feedback != kNoPick) {
        return MakeError(ErrorCode::kConflict, "task " + task_id + " already has an answer");
      }
      outcome.repeated = true;
      return OkStatus();
    }
    const std::string now = NowIso();
    return InsertEvents(s, {kEventSelection, kEventBadInference}, now);
  });
  if (!st.ok()) return st.error();
  return outcome;
}

Result<CanaryOutcomes> SqlStore::GetCanaryOutcomes(const std::string& candidate_id) {
  CanaryOutcomes out;
  Status st = Read("canary outcomes", [&](soci::session& s) {
    out = CanaryOutcomes{};
    std::string outcome;
    long long n = 0;
    Query q(s, "SELECT outcome, n FROM canary_outcomes WHERE candidate_id = :c", kReuse);
    q.Use(candidate_id).Into(outcome).Into(n);
    for (bool row = q.Run(); row; row = q.Next()) {
      if (outcome == "candidate") out.candidate_wins = n;
      if (outcome == "current") out.current_wins = n;
      if (outcome == "no_pick") out.no_picks = n;
    }
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

Result<ModelFeedback> SqlStore::GetModelFeedback(const std::string& model_id) {
  ModelFeedback out;
  Status st = Read("model feedback", [&](soci::session& s) {
    out = ModelFeedback{};
    int position = 0;
    long long n = 0;
    Query q(s, "SELECT position, n FROM model_feedback WHERE model_id = :m", kReuse);
    q.Use(model_id).Into(position).Into(n);
    for (bool row = q.Run(); row; row = q.Next()) Add(out, position, n);
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

Result<std::map<std::string, ModelFeedback>> SqlStore::ListModelFeedback() {
  std::map<std::string, ModelFeedback> out;
  Status st = Read("list model feedback", [&](soci::session& s) {
    out.clear();
    std::string model_id;
    int position = 0;
    long long n = 0;
    Query q(s, "SELECT model_id, position, n FROM model_feedback", kReuse);
    q.Into(model_id).Into(position).Into(n);
    for (bool row = q.Run(); row; row = q.Next()) Add(out[model_id], position, n);
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

}  // namespace mlprod::store
