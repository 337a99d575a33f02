// SqlStore: inference results and training data sets (the user's pick: sql_store_feedback.cpp).
#include <algorithm>
#include <cmath>

#include "store/sql/query.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

// Rows per multi-row INSERT: well under both backends' bound-parameter and statement limits.
constexpr size_t kRowsPerInsert = 500;

// The training read of shown rows looks at most this many times its limit of newest rows.
constexpr long long kShownWalk = 32;

// results.model_id of a row ranked by its list's model, which is stored once, in
// inferences.model_id (ResultReader::kModel reads it back).
const std::string kListModel;

std::string ResultSelect() {
  return std::string("SELECT ") + ResultReader::kColumns + ", " + LocationReader::kColumns +
         " FROM results r JOIN locations l ON l.location_id = r.location_id " + ResultReader::kJoin;
}

// Indices of the rows to keep, in their original order (which is their result_id order, the
// tie-break of equal scores): all of them, or the first `keep` in shown order.
std::vector<size_t> KeptRows(std::span<const ScoredLocation> scores, std::span<const int> ranks,
                             bool ranked, int keep) {
  std::vector<size_t> kept(scores.size());
  for (size_t i = 0; i < kept.size(); ++i) kept[i] = i;
  if (keep <= 0 || static_cast<size_t>(keep) >= scores.size()) return kept;
  if (ranked) {
    std::erase_if(kept, [&](size_t i) { return ranks[i] >= keep; });
    return kept;
  }
  std::nth_element(kept.begin(), kept.begin() + keep, kept.end(), [&](size_t a, size_t b) {
    return scores[a].score != scores[b].score ? scores[a].score > scores[b].score : a < b;
  });
  kept.resize(static_cast<size_t>(keep));
  std::sort(kept.begin(), kept.end());
  return kept;
}

}  // namespace

Status SqlStore::SaveResults(const std::string& task_id, std::int64_t user_id,
                             const std::string& model_id, std::span<const ScoredLocation> scores,
                             double propensity) {
  return SaveRows(task_id, user_id, model_id, scores, propensity, nullptr, nullptr);
}

Status SqlStore::SaveInterleavedResults(const std::string& task_id, std::int64_t user_id,
                                        const std::string& current_id,
                                        std::span<const ScoredLocation> scores,
                                        const Interleaving& interleaving) {
  if (interleaving.ranks.size() != scores.size() ||
      interleaving.from_candidate.size() != scores.size() || interleaving.candidate_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "task " + task_id +
                         ": an interleaving needs a candidate and one rank and "
                         "team per score");
  }
  return SaveRows(task_id, user_id, current_id, scores, interleaving.propensity, &interleaving,
                  nullptr);
}

Status SqlStore::SaveExploredResults(const std::string& task_id, std::int64_t user_id,
                                     const std::string& model_id,
                                     std::span<const ScoredLocation> scores,
                                     const Exploration& exploration) {
  if (exploration.ranks.size() != scores.size() ||
      exploration.propensities.size() != scores.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "task " + task_id +
                         ": an explored list needs one rank and propensity per "
                         "score");
  }
  for (double p : exploration.propensities) {
    if (!(p > 0 && p <= 1)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "task " + task_id + ": a propensity must be in (0, 1]");
    }
  }
  return SaveRows(task_id, user_id, model_id, scores, 1.0, nullptr, &exploration);
}

Status SqlStore::SaveRows(const std::string& task_id, std::int64_t user_id,
                          const std::string& model_id, std::span<const ScoredLocation> scores,
                          double propensity, const Interleaving* il, const Exploration* ex) {
  if (task_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty task id");
  if (!(propensity > 0 && propensity <= 1)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "task " + task_id + ": a propensity must be in (0, 1]");
  }
  for (const ScoredLocation& sl : scores) {
    if (!std::isfinite(sl.score)) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "task " + task_id + ": non-finite score for location " + std::to_string(sl.location_id));
    }
  }
  const std::vector<size_t> kept = KeptRows(scores,
                                            il   ? il->ranks
                                            : ex ? ex->ranks
                                                 : std::span<const int>(),
                                            il || ex, options_.keep_results);
  // One statement per chunk of rows, its text built before the write lock is taken. Values are
  // bound, so the text depends only on the chunk's size and PostgreSQL prepares it once per
  // connection. A plain INSERT guarded by NOT EXISTS, not ON CONFLICT DO NOTHING (whose
  // speculative insertion costs PostgreSQL ~20 % more per row, and needs a unique index whose
  // entries cost ~55 bytes per row): two workers on one task are serialised by the inference
  // row, written first (below).
  // Per row: (location, score) for a plain list, whose model is bound once; (location, score,
  // model, rank) for an interleaved one; (location, score, rank, propensity) for an explored one
  // (model once). A deterministic list's rows share one propensity: it goes on the inference
  // (inferences.propensity), not into every row, which keeps the rows as small as before.
  std::vector<std::string> inserts;
  const std::string p = dialect_.param;
  const std::string bigint = "CAST(" + p + " AS BIGINT)",
                    dbl = "CAST(" + p + " AS DOUBLE PRECISION)", text = "CAST(" + p + " AS TEXT)",
                    integer = "CAST(" + p + " AS INTEGER)";
  const int per_row = il || ex ? 4 : 2;
  std::string row = ", (" + p;
  for (int k = 1; k < per_row; ++k) row += ", " + p;
  row += ')';
  const std::string first_row = "(" + bigint + ", " + dbl +
                                (il   ? ", " + text + ", " + integer
                                 : ex ? ", " + integer + ", " + dbl
                                      : std::string()) +
                                ")";
  const std::string model_col = il ? "column3" : text;
  for (size_t begin = 0; begin < kept.size(); begin += kRowsPerInsert) {
    const size_t end = std::min(kept.size(), begin + kRowsPerInsert);
    std::string sql =
        "INSERT INTO results (task_id, user_id, location_id, score, label, shown, model_id" +
        std::string(il || ex ? ", shown_rank" : "") +
        std::string(ex ? ", propensity, explored" : "") + ") SELECT " + text + ", " + bigint +
        ", column1, column2, 0, false, " + model_col +
        (il   ? ", column4"
         : ex ? ", column3, column4, true"
              : "") +
        " FROM (VALUES " + first_row;
    sql.reserve(sql.size() + (end - begin) * row.size() + 80);
    for (size_t i = begin + 1; i < end; ++i) sql += row;
    sql += ") AS v";
    // In the same statement, not a round trip before it: a redelivered task inserts nothing.
    // A named parameter in SQLite, which the condition repeats (numbered once, bound once).
    const std::string guard = dialect_.backend == Backend::kSqlite ? ":g" : p;
    if (begin == 0)
      sql += " WHERE NOT EXISTS (SELECT 1 FROM results x WHERE " + ResultsOfTask("x", guard) + ")";
    inserts.push_back(std::move(sql));
  }
  const long long uid = user_id;
  const std::string now = NowIso();
  // The inference row's update: SUCCESS, with the list's model and kind. A task already SUCCESS
  // keeps its row as it is.
  const std::string update =
      std::string("UPDATE inferences SET status = 'SUCCESS', time_update = :n, model_id = :m, ") +
      (il   ? "canary = :c, propensity = :p"
       : ex ? "explored = true"
            : "propensity = :p") +
      " WHERE task_id = :t AND status <> 'SUCCESS'";
  auto bind_update = [&](Query& q) {
    q.Use(now).Use(model_id);
    if (il) q.Use(il->candidate_id);
    if (!ex) q.Use(propensity);
    q.Use(task_id);
  };
  auto bind_chunk = [&](Query& q, size_t chunk) {
    q.Use(task_id).Use(uid);
    if (!il) q.Use(kListModel);
    const size_t begin = chunk * kRowsPerInsert;
    const size_t end = std::min(kept.size(), begin + kRowsPerInsert);
    for (size_t k = begin; k < end; ++k) {
      const size_t i = kept[k];
      q.Use(scores[i].location_id).Use(scores[i].score);
      if (il) q.Use(il->from_candidate[i] ? il->candidate_id : kListModel).Use(il->ranks[i]);
      if (ex) q.Use(ex->ranks[i]).Use(ex->propensities[i]);
    }
    if (chunk == 0) q.Use(task_id);
  };
  if (postgres() && inserts.size() == 1) {
    // One statement, committed on its own: the update, then the rows only when the update
    // changed the inference row. A second worker saving the same task waits for this one's row
    // lock and then finds the row SUCCESS: it inserts nothing (its NOT EXISTS alone would not
    // do, since it reads the statement's snapshot, taken before the wait). Inserting nothing
    // here otherwise means a row already SUCCESS: the transaction below decides that case as
    // it always did (a redelivery's rows are there; it writes none).
    long long inserted = 0;
    Status st = WriteStatement("save results", [&](soci::session& s) {
      std::string sql = inserts[0];
      const std::string guard = " WHERE NOT EXISTS";
      sql.replace(sql.rfind(guard), guard.size(), " WHERE EXISTS (SELECT 1 FROM f) AND NOT EXISTS");
      Query q(s, "WITH f AS (" + update + " RETURNING 1) " + sql, kReuse);
      bind_update(q);
      bind_chunk(q, 0);
      q.Run();
      inserted = q.AffectedRows();
      return OkStatus();
    });
    if (!st.ok() || inserted > 0) return st;
  }
  // The inference row first: on PostgreSQL its row lock makes a second worker saving the same
  // task (a redelivery racing the original) wait here until this one commits; its insert then
  // takes a new snapshot (READ COMMITTED), sees these rows and writes none. SQLite has one
  // writer at a time anyway.
  return Write("save results", [&](soci::session& s) {
    Query u(s, update, kReuse);
    bind_update(u);
    u.Run();
    for (size_t chunk = 0; chunk < inserts.size(); ++chunk) {
      Query q(s, inserts[chunk], kReuse);
      bind_chunk(q, chunk);
      q.Run();
      // A redelivered task: its rows are already committed, nothing to do.
      if (chunk == 0 && q.AffectedRows() == 0) return OkStatus();
    }
    return OkStatus();
  });
}

Result<std::vector<ResultRow>> SqlStore::TopResults(const std::string& task_id, int limit) {
  if (limit < 0) return MakeError(ErrorCode::kInvalidArgument, "negative results limit");
  if (postgres()) return TopResultsInOneStatement(task_id, limit);
  std::vector<ResultRow> out;
  // The read stays out of the write transaction: SQLite's single write lock is held only for the
  // three small writes (marking shown twice is harmless, so no read-then-write race matters).
  Status st = Read("top results", [&](soci::session& s) {
    ResultReader r;
    const long long n = limit;
    // Ranked rows first in their shown order (every row of an interleaved or explored list; the
    // rows of a plain list once shown), then the rest by score: for a plain list that is the
    // score order either way. NULLs sort first in SQLite and last in PostgreSQL, hence the CASE.
    Query q(s,
            ResultSelect() + " WHERE " + ResultsOfTask("r", ":t") +
                " ORDER BY CASE WHEN r.shown_rank IS NULL THEN 1 ELSE 0 END,"
                " r.shown_rank, r.score DESC, r.result_id LIMIT :n",
            kReuse);
    q.Use(task_id).Use(n);
    r.Bind(q);
    for (bool row = q.Run(); row; row = q.Next()) out.push_back(r.Get());
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  if (out.empty()) return out;
  // A shown row of a plain list keeps the rank it was shown at (a ranked list's rows have theirs
  // already), so the pick's position is read from its row. Bound ids, so the text depends only
  // on their count (one prepared statement per limit).
  const std::string p = dialect_.param;
  std::string mark = "UPDATE results SET shown = true, shown_rank = COALESCE(shown_rank, CASE";
  std::string ids;
  for (size_t i = 0; i < out.size(); ++i) {
    mark += " WHEN result_id = " + p + " THEN " + std::to_string(i);
    ids += (i == 0 ? "" : ", ") + p;
    out[i].shown = true;
  }
  mark += " END) WHERE result_id IN (" + ids + ')';
  st = Write("mark results shown", [&](soci::session& s) {
    Query q(s, mark, kReuse);
    for (int pass = 0; pass < 2; ++pass) {
      for (const ResultRow& row : out) q.Use(row.result_id);
    }
    q.Run();
    const std::string now = NowIso();
    Query(s, "UPDATE inferences SET time_get = :n WHERE task_id = :t", kReuse)
        .Use(now)
        .Use(task_id)
        .Run();
    return InsertEvents(s, {kEventResults}, now);
  });
  if (!st.ok()) return st.error();
  return out;
}

Result<std::vector<ResultRow>> SqlStore::TopResultsInOneStatement(const std::string& task_id,
                                                                  int limit) {
  std::vector<ResultRow> out;
  // What TopResults does on SQLite, as one statement committed on its own: the top rows (the
  // same order), marked shown at their rank when they have none, the inference's time_get and
  // the event, written only when there are rows. The rows are read as they were before the
  // statement (its snapshot), as SQLite's read before the write reads them.
  Status st = WriteStatement("top results", [&](soci::session& s) {
    out.clear();
    ResultReader r;
    const long long n = limit;
    const std::string now = NowIso();
    const std::string event = kEventResults;
    Query q(s,
            "WITH top AS (SELECT r.result_id, row_number() OVER (ORDER BY CASE WHEN r.shown_rank "
            "IS NULL THEN 1 ELSE 0 END, r.shown_rank, r.score DESC, r.result_id) - 1 AS pos "
            "FROM results r WHERE r.task_id = :t ORDER BY pos LIMIT :n), "
            "m AS (UPDATE results SET shown = true, shown_rank = COALESCE(results.shown_rank, "
            "CAST(top.pos AS INTEGER)) FROM top WHERE results.result_id = top.result_id), "
            "i AS (UPDATE inferences SET time_get = :g WHERE task_id = :t AND "
            "EXISTS (SELECT 1 FROM top)), "
            "e AS (INSERT INTO events (event, time_event) SELECT CAST(:e AS TEXT), "
            "CAST(:g AS TIMESTAMPTZ) WHERE EXISTS (SELECT 1 FROM top)) "
            "SELECT " +
                ResultReader::kColumns + ", " + LocationReader::kColumns +
                " FROM top JOIN results r ON r.result_id = top.result_id"
                " JOIN locations l ON l.location_id = r.location_id " +
                ResultReader::kJoin + " ORDER BY top.pos",
            kReuse);
    q.Use(task_id).Use(n).Use(now).Use(task_id).Use(event).Use(now);
    r.Bind(q);
    for (bool row = q.Run(); row; row = q.Next()) {
      out.push_back(r.Get());
      out.back().shown = true;
    }
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

Result<std::vector<ResultRow>> SqlStore::ListResults(const std::string& task_id,
                                                     std::int64_t offset, std::int64_t limit,
                                                     std::optional<std::int64_t> after) {
  std::vector<std::string> where;
  if (!task_id.empty()) where.push_back(ResultsOfTask("r", ":t"));
  // A keyset cursor: a seek on the primary key instead of walking `offset` rows.
  if (after) where.push_back("r.result_id > :a");
  std::string sql = ResultSelect();
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY r.result_id" + LimitOffset(limit, offset);
  const std::optional<std::string> task =
      task_id.empty() ? std::nullopt : std::optional<std::string>(task_id);
  const std::optional<long long> after_id = after;
  return Fetch("list results", [&](soci::session& s) {
    return ReadAll<ResultReader>(s, Prepare::kEachRun, sql, task, after_id);
  });
}

Result<std::optional<ResultRow>> SqlStore::GetResult(std::int64_t result_id) {
  const long long id = result_id;
  return Fetch("get result", [&](soci::session& s) {
    return ReadOne<ResultReader>(s, Prepare::kOnce, ResultSelect() + " WHERE r.result_id = :id",
                                 id);
  });
}

Result<std::vector<LabelledResult>> SqlStore::NewestShownResults(int limit) {
  return NewestLabelled(limit, false);
}

Result<std::vector<LabelledResult>> SqlStore::NewestExploredResults(int limit) {
  return NewestLabelled(limit, true);
}

Result<std::vector<LabelledResult>> SqlStore::NewestLabelled(int limit, bool explored_only) {
  if (limit < 0) return MakeError(ErrorCode::kInvalidArgument, "negative data set size");
  std::vector<LabelledResult> out;
  Status st = Read(
      explored_only ? "newest explored results" : "newest shown results", [&](soci::session& s) {
        long long result_id = 0;
        int label = 0;
        std::string task_id;
        UserReader u;
        LocationReader l;
        // Explored rows have a partial index on result_id (migration 7). Shown rows are found
        // walking the newest kShownWalk × limit rows backwards by result_id: with the default
        // --keep-results 10 nearly every kept row is shown, with all 210 kept about 1 in 21,
        // and the walk stays bounded in rows even when few lists are ever read.
        const std::string shown_window =
            " AND r.result_id > (SELECT COALESCE(MAX(result_id), 0) FROM results) - " +
            std::to_string(kShownWalk * static_cast<long long>(limit));
        Query q(s, std::string("SELECT r.result_id, r.task_id, r.label, ") + UserReader::kColumns +
                       ", " + LocationReader::kColumns +
                       " FROM results r JOIN users u ON u.user_id = r.user_id"
                       " JOIN locations l ON l.location_id = r.location_id" +
                       // Explored lists only once answered: an unanswered list is no label yet.
                       (explored_only ? " JOIN inferences i ON i.task_id = r.task_id AND "
                                        "i.feedback IS NOT NULL WHERE r.shown AND r.explored"
                                      : " WHERE r.shown" + shown_window) +
                       " ORDER BY r.result_id DESC LIMIT " + std::to_string(limit));
        q.Into(result_id).Into(task_id).Into(label);
        u.Bind(q);
        l.Bind(q);
        for (bool row = q.Run(); row; row = q.Next()) {
          out.push_back(LabelledResult{result_id, task_id, u.Get(), l.Get(), label});
        }
        return OkStatus();
      });
  if (!st.ok()) return st.error();
  return out;
}

Status SqlStore::RecordDataset(const std::string& task_id,
                               std::span<const std::int64_t> result_ids) {
  if (task_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty task id");
  return Write("record dataset", [&](soci::session& s) {
    const std::string now = NowIso();
    for (size_t begin = 0; begin < result_ids.size(); begin += kRowsPerInsert) {
      std::string sql = std::string(
                            "INSERT INTO datasets (task_id, result_id, time_creation) "
                            "SELECT CAST(:t AS TEXT), column1, CAST(:n AS ") +
                        dialect_.timestamp_type + ") FROM (VALUES ";
      const size_t end = std::min(result_ids.size(), begin + kRowsPerInsert);
      for (size_t i = begin; i < end; ++i) {
        sql += i > begin ? ", (" : "(";
        AppendInt(sql, result_ids[i]);
        sql += ')';
      }
      // Recording the same data set twice (a retried training task) keeps one copy.
      sql += ") AS v WHERE true ON CONFLICT (task_id, result_id) DO NOTHING";
      Query(s, sql).Use(task_id).Use(now).Run();
    }
    return InsertEvents(s, {kEventTraining}, now);
  });
}

}  // namespace mlprod::store
