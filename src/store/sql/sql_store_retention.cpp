// SqlStore: data retention (docs/decisions.md D8). Unanswered, finished loops and events older
// than a cutoff are deleted oldest first, in write transactions sized to stay short (the batch
// adapts to the measured duration), with a pause between them so serving writes get the lock.
// SQLite walks inferences by rowid (insertion order, no index on time_creation), PostgreSQL by
// its time_creation index; both resume at the caller's cursor, so kept rows are walked once.
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "store/sql/query.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

using Clock = std::chrono::steady_clock;

// Deletable: unanswered, finished, and no results row of it in a data set. A scalar subquery,
// not NOT EXISTS: PostgreSQL may run an EXISTS in a CASE as one hashed join of all results and
// datasets per batch (192 ms on 500,000 rows) instead of two index lookups per walked loop.
// `of_task` is SqlStore::ResultsOfTask("r", "i.task_id").
std::string Deletable(const std::string& of_task) {
  return "CASE WHEN i.feedback IS NULL AND i.status IN ('SUCCESS', 'FAILURE') AND (SELECT "
         "COUNT(*) FROM (SELECT 1 FROM results r JOIN datasets d ON d.result_id = r.result_id "
         "WHERE " +
         of_task + " LIMIT 1) AS used) = 0 THEN 1 ELSE 0 END";
}

// The batch size: halved after a slow batch, doubled after a fast one, within the bounds.
struct BatchSize {
  explicit BatchSize(const RetentionOptions& o)
      : n(std::clamp(o.first_batch, o.min_batch, o.max_batch)) {}
  void Adapt(Clock::duration took, const RetentionOptions& o) {
    if (took > o.shrink_above) {
      n = std::max(o.min_batch, n / 2);
    } else if (took < o.grow_below) {
      n = std::min(o.max_batch, n * 2);
    }
  }
  int n;
};

std::string Placeholders(size_t n, const char* param) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i == 0 ? "" : ", ") + std::string(param);
  return out;
}

// SOCI runs a statement to its first row only, and incremental_vacuum frees one page per row.
__attribute__((no_sanitize("vptr"))) void StepToEnd(soci::session& s, const std::string& sql) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
  sqlite_api::sqlite3_stmt* st = nullptr;
  if (sqlite_api::sqlite3_prepare_v2(backend->conn_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sqlite_api::sqlite3_errmsg(backend->conn_));
  }
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite_api::sqlite3_step(st);
  sqlite_api::sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw std::runtime_error(sqlite_api::sqlite3_errmsg(backend->conn_));
}

}  // namespace

Status SqlStore::DeleteExpiredLoops(const RetentionOptions& o, int limit, RetentionCursor& cursor,
                                    RetentionCounts& counts, bool& exhausted,
                                    Clock::duration& held) {
  const bool pg = target_.backend == Backend::kPostgres;
  // A user's rows are checked by the database on PostgreSQL (indexed, migration 13); on SQLite
  // each check would scan results, so the transaction runs without enforcement and checks the
  // other inferences itself (results rows carry their inference's user).
  auto start = Clock::now();
  Status st = Run(
      "delete expired history", true,
      [&](soci::session& s) {
        start = Clock::now();
        RetentionCursor next = cursor;
        std::vector<std::string> tasks;
        std::vector<long long> users;
        std::string task_id, time;
        long long rowid = 0, user_id = 0;
        int deletable = 0, walked = 0;
        soci::indicator user_ind = soci::i_ok;
        const long long n = limit;
        {  // the walk; its statement ends before the deletes
          std::string sql = std::string("SELECT ") + (pg ? "0" : "i.rowid") +
                            ", i.task_id, i.user_id, i.time_creation, " +
                            Deletable(ResultsOfTask("r", "i.task_id")) +
                            " FROM inferences i WHERE ";
          if (pg) {
            sql += "i.time_creation < CAST(:cutoff AS TIMESTAMPTZ)";
            if (!cursor.time.empty()) {
              sql +=
                  " AND i.time_creation >= CAST(:t AS TIMESTAMPTZ) AND (i.time_creation > "
                  "CAST(:t2 AS TIMESTAMPTZ) OR i.task_id > :id)";
            }
            sql += " ORDER BY i.time_creation, i.task_id LIMIT :n";
          } else {
            sql += "i.rowid > :c ORDER BY i.rowid LIMIT :n";
          }
          Query q(s, sql, kReuse);
          const long long after = cursor.rowid;
          if (pg) {
            q.Use(o.cutoff);
            if (!cursor.time.empty()) q.Use(cursor.time).Use(cursor.time).Use(cursor.task_id);
          } else {
            q.Use(after);
          }
          q.Use(n).Into(rowid).Into(task_id).Into(user_id, user_ind).Into(time).Into(deletable);
          for (bool row = q.Run(); row; row = q.Next()) {
            // SQLite: rowid order is insertion order, so the first row at or after the cutoff
            // ends the walk (ISO text compares as time; PostgreSQL filtered in SQL).
            if (!pg && time >= o.cutoff) {
              exhausted = true;
              break;
            }
            ++walked;
            next.rowid = rowid;
            next.time = time;
            next.task_id = task_id;
            if (deletable != 0) {
              tasks.push_back(task_id);
              if (user_ind == soci::i_ok) users.push_back(user_id);
            }
          }
        }
        if (walked < limit) exhausted = true;
        if (!tasks.empty() && pg) {
          // Under row locks, so an answer arriving now either commits first (and the loop is
          // kept) or waits for this transaction (and finds no row).
          std::vector<std::string> locked;
          Query lock(s,
                     "SELECT task_id FROM inferences WHERE task_id IN (" +
                         Placeholders(tasks.size(), dialect_.param) +
                         ") AND feedback IS NULL AND status IN ('SUCCESS', 'FAILURE') FOR UPDATE");
          for (const std::string& t : tasks) lock.Use(t);
          lock.Into(task_id);
          for (bool row = lock.Run(); row; row = lock.Next()) locked.push_back(task_id);
          tasks.swap(locked);
        }
        if (!tasks.empty()) {
          const std::string in = "(" + Placeholders(tasks.size(), dialect_.param) + ")";
          if (pg) {
            Query results(s, "DELETE FROM results WHERE task_id IN " + in);
            for (const std::string& t : tasks) results.Use(t);
            results.Run();
            counts.results += results.AffectedRows();
          } else {
            // One task at a time: SQLite finds a task's rows by the head of its id (D6, D9).
            const std::string del = "DELETE FROM results WHERE " + ResultsOfTask("", ":t");
            for (const std::string& t : tasks) {
              Query results(s, del, kReuse);
              results.Use(t);
              results.Run();
              counts.results += results.AffectedRows();
            }
          }
          Query inferences(s, "DELETE FROM inferences WHERE task_id IN " + in);
          for (const std::string& t : tasks) inferences.Use(t);
          inferences.Run();
          counts.inferences += inferences.AffectedRows();
        }
        if (!tasks.empty() && !users.empty()) {
          std::string del = "DELETE FROM users WHERE user_id IN (";
          for (size_t i = 0; i < users.size(); ++i) {
            if (i > 0) del += ", ";
            AppendInt(del, users[i]);
          }
          del += ") AND NOT EXISTS (SELECT 1 FROM inferences i WHERE i.user_id = users.user_id)";
          if (pg)
            del += " AND NOT EXISTS (SELECT 1 FROM results r WHERE r.user_id = users.user_id)";
          Query u(s, del);
          u.Run();
          counts.users += u.AffectedRows();
        }
        cursor = next;
        return OkStatus();
      },
      /*unchecked=*/true);
  held = Clock::now() - start;
  return st;
}

Result<std::int64_t> SqlStore::DeleteExpiredEvents(const std::string& cutoff, int limit,
                                                   Clock::duration& held) {
  long long deleted = 0;
  auto start = Clock::now();
  Status st = Write("delete expired events", [&](soci::session& s) {
    start = Clock::now();
    const long long n = limit;
    // The ids first, then a literal list: with an IN subquery PostgreSQL chose a hashed semi
    // join over a scan of all events.
    std::vector<std::int64_t> ids;
    {
      long long id = 0;
      // SQLite has no index on time_event (D6): its oldest events are the first ids (retention
      // deletes from the front), so it looks at the `limit` ids from the oldest on, no further.
      Query q(s,
              target_.backend == Backend::kSqlite
                  ? std::string("SELECT event_id FROM events WHERE event_id < (SELECT "
                                "MIN(event_id) FROM events) + :n AND time_event < :c")
                  : std::string("SELECT event_id FROM events WHERE time_event < CAST(:c AS ") +
                        dialect_.timestamp_type + ") ORDER BY time_event LIMIT :n",
              kReuse);
      if (target_.backend == Backend::kSqlite) {
        q.Use(n).Use(cutoff).Into(id);
      } else {
        q.Use(cutoff).Use(n).Into(id);
      }
      for (bool row = q.Run(); row; row = q.Next()) ids.push_back(id);
    }
    if (ids.empty()) return OkStatus();
    std::string sql = "DELETE FROM events WHERE event_id IN (";
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) sql += ", ";
      AppendInt(sql, ids[i]);
    }
    sql += ")";
    Query q(s, sql);
    q.Run();
    deleted = q.AffectedRows();
    return OkStatus();
  });
  held = Clock::now() - start;
  if (!st.ok()) return st.error();
  return static_cast<std::int64_t>(deleted);
}

Result<std::int64_t> SqlStore::VacuumFreePages(const RetentionOptions& o) {
  if (target_.backend != Backend::kSqlite || target_.in_memory) return std::int64_t{0};
  long long mode = 0, before = 0, after = 0;
  Status st = Read("read the vacuum mode", [&](soci::session& s) {
    Query(s, "PRAGMA auto_vacuum").Into(mode).Run();
    Query(s, "PRAGMA freelist_count").Into(before).Run();
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  if (mode != 2 || before == 0) return std::int64_t{0};  // 2: INCREMENTAL
  const std::string step = "PRAGMA incremental_vacuum(" + std::to_string(o.vacuum_pages) + ")";
  for (int i = 0; i < o.max_vacuum_steps; ++i) {
    st = Write("incremental vacuum", [&](soci::session& s) {
      StepToEnd(s, step);
      Query(s, "PRAGMA freelist_count").Into(after).Run();
      return OkStatus();
    });
    if (!st.ok()) return st.error();
    if (after == 0) break;
    std::this_thread::sleep_for(o.pause);
  }
  return static_cast<std::int64_t>(before - after);
}

Result<RetentionCounts> SqlStore::DeleteExpiredHistory(const RetentionOptions& o,
                                                       RetentionCursor& cursor) {
  if (o.cutoff.empty() || o.min_batch < 1 || o.max_batch < o.min_batch || o.max_batches < 1 ||
      o.vacuum_pages < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "retention needs a cutoff, 1 <= min_batch <= max_batch and max_batches >= 1");
  }
  RetentionCounts counts;
  auto record = [&](int size, Clock::duration took) {
    spdlog::debug("retention: batch of {} held the write lock {} us", size,
                  std::chrono::duration_cast<std::chrono::microseconds>(took).count());
    ++counts.batches;
    if (took > std::chrono::milliseconds(10)) ++counts.batches_over_10ms;
    counts.largest_batch = std::max(counts.largest_batch, size);
    counts.longest_batch =
        std::max(counts.longest_batch, std::chrono::duration_cast<std::chrono::microseconds>(took));
  };
  BatchSize loops(o);
  bool exhausted = false;
  while (!exhausted && counts.batches < o.max_batches) {
    Clock::duration took{};
    MLPROD_RETURN_IF_ERROR(DeleteExpiredLoops(o, loops.n, cursor, counts, exhausted, took));
    record(loops.n, took);
    loops.Adapt(took, o);
    std::this_thread::sleep_for(o.pause);
  }
  BatchSize events(o);
  bool events_left = true;
  while (events_left && counts.batches < o.max_batches) {
    Clock::duration took{};
    auto n = DeleteExpiredEvents(o.cutoff, events.n, took);
    if (!n.ok()) return n.error();
    record(events.n, took);
    counts.events += *n;
    events_left = *n == events.n;
    events.Adapt(took, o);
    if (events_left) std::this_thread::sleep_for(o.pause);
  }
  counts.more = !exhausted || events_left;
  if (counts.total() > 0) {
    auto pages = VacuumFreePages(o);
    if (!pages.ok()) return pages.error();
    counts.vacuumed_pages = *pages;
  }
  return counts;
}

}  // namespace mlprod::store
