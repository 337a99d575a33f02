// SqlStore: locations, users, inferences and counts.
#include <cmath>

#include "common/time_util.h"
#include "store/sql/query.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

constexpr size_t kLocationsPerInsert = 200;

bool AllFinite(const Location& l) {
  for (double v : {l.lat, l.lon, l.price, l.family_rating, l.outdoor_rating, l.food_rating,
                   l.leisure_rating, l.service_rating, l.user_score}) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

void AppendLocation(std::string& sql, const Location& l, const std::string& now_literal) {
  sql += '(';
  AppendInt(sql, l.location_id);
  sql += ", " + now_literal;
  auto number = [&sql](double v) {
    sql += ", ";
    AppendDouble(sql, v);
  };
  auto flag = [&sql](bool b) {
    sql += ", ";
    AppendBool(sql, b);
  };
  number(l.lat);
  number(l.lon);
  for (bool b : {l.children, l.breakfast, l.lunch, l.dinner}) flag(b);
  number(l.price);
  for (bool b : {l.has_pool, l.has_spa, l.animals, l.near_lake, l.near_mountains, l.has_sport}) {
    flag(b);
  }
  for (double v : {l.family_rating, l.outdoor_rating, l.food_rating, l.leisure_rating,
                   l.service_rating, l.user_score}) {
    number(v);
  }
  sql += ')';
}

}  // namespace

Status SqlStore::LoadLocationsIfEmpty(std::span<const Location> locations) {
  for (const Location& l : locations) {
    if (!AllFinite(l)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "location " + std::to_string(l.location_id) + " has a non-finite number");
    }
  }
  return Write("load locations", [&](soci::session& s) {
    long long count = 0;
    Query(s, "SELECT COUNT(*) FROM locations").Into(count).Run();
    if (count > 0 || locations.empty()) return OkStatus();
    // The timestamp is our own ISO text, so it can be a literal: no quoting concerns.
    const std::string now =
        std::string("CAST('") + NowIso() + "' AS " + dialect_.timestamp_type + ")";
    for (size_t begin = 0; begin < locations.size(); begin += kLocationsPerInsert) {
      std::string sql =
          "INSERT INTO locations (location_id, creation_time, lat, lon, children, breakfast, "
          "lunch, dinner, price, has_pool, has_spa, animals, near_lake, near_mountains, "
          "has_sport, family_rating, outdoor_rating, food_rating, leisure_rating, "
          "service_rating, user_score) VALUES ";
      const size_t end = std::min(locations.size(), begin + kLocationsPerInsert);
      for (size_t i = begin; i < end; ++i) {
        if (i > begin) sql += ", ";
        AppendLocation(sql, locations[i], now);
      }
      Exec(s, sql);
    }
    // Statistics now, not whenever autovacuum gets to it, so the plans that look locations up
    // (the results join, the reference check of every result insert) are settled from the first
    // task instead of changing under load once autovacuum analyses the table. PostgreSQL only.
    if (target_.backend == Backend::kPostgres) Exec(s, "ANALYZE locations");
    return OkStatus();
  });
}

Result<std::optional<Location>> SqlStore::GetLocation(std::int64_t location_id) {
  const long long id = location_id;
  return Fetch("get location", [&](soci::session& s) {
    return ReadOne<LocationReader>(s, Prepare::kOnce,
                                   std::string("SELECT ") + LocationReader::kColumns +
                                       " FROM locations l WHERE l.location_id = :id",
                                   id);
  });
}

Result<std::vector<Location>> SqlStore::ListLocations(std::int64_t offset, std::int64_t limit,
                                                      std::optional<std::int64_t> after) {
  const std::optional<long long> after_id = after;
  return Fetch("list locations", [&](soci::session& s) {
    return ReadAll<LocationReader>(s, Prepare::kEachRun,
                                   std::string("SELECT ") + LocationReader::kColumns +
                                       " FROM locations l" +
                                       (after ? " WHERE l.location_id > :a" : "") +
                                       " ORDER BY l.location_id" + LimitOffset(limit, offset),
                                   after_id);
  });
}

namespace {

// The users INSERT of InsertUser and of StartInference's single PostgreSQL statement; its values
// are a UserValues.
// Built on first use: the column lists are template statics, whose initialisation order is
// not defined relative to this file's.
const std::string& InsertUserSql() {
  static const std::string sql = "INSERT INTO users (" + RecordWriter<User>::kColumns +
                                 ") VALUES (" + RecordWriter<User>::kPlaceholders +
                                 ") RETURNING user_id";
  return sql;
}

using UserValues = RecordWriter<User>;

}  // namespace

long long SqlStore::InsertUser(soci::session& s, const User& user, const std::string& time) {
  long long user_id = 0;
  UserValues values(user, time);
  Query q(s, InsertUserSql(), kReuse);
  values.Bind(q);
  q.Into(user_id).Run();
  return user_id;
}

Result<std::int64_t> SqlStore::StartInference(const User& user, const std::string& task_id) {
  if (task_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty task id");
  long long user_id = 0;
  if (postgres()) {
    // One statement, committed on its own: user, inference and event in one round trip (the
    // inference's foreign key is checked at the end of the statement, when the user exists).
    Status st = WriteStatement("start inference", [&](soci::session& s) {
      const std::string now = NowIso();
      const std::string event = kEventInferenceStart;
      UserValues values(user, now);
      Query q(s,
              std::string("WITH u AS (") + InsertUserSql() +
                  "), i AS (INSERT INTO inferences (task_id, time_creation, user_id, status) "
                  "VALUES (:t, :ct, (SELECT user_id FROM u), 'PENDING')), "
                  "e AS (INSERT INTO events (event, time_event) VALUES (:e, :n)) "
                  "SELECT user_id FROM u",
              kReuse);
      values.Bind(q);
      q.Use(task_id).Use(now).Use(event).Use(now).Into(user_id).Run();
      return OkStatus();
    });
    if (!st.ok()) return st.error();
    return static_cast<std::int64_t>(user_id);
  }
  Status st = Write("start inference", [&](soci::session& s) {
    const std::string now = NowIso();
    user_id = InsertUser(s, user, now);
    Query(s,
          "INSERT INTO inferences (task_id, time_creation, user_id, status) "
          "VALUES (:t, :ct, :u, 'PENDING')",
          kReuse)
        .Use(task_id)
        .Use(now)
        .Use(user_id)
        .Run();
    return InsertEvents(s, {kEventInferenceStart}, now);
  });
  if (!st.ok()) return st.error();
  return static_cast<std::int64_t>(user_id);
}

Result<std::optional<User>> SqlStore::GetUser(std::int64_t user_id) {
  const long long id = user_id;
  return Fetch("get user", [&](soci::session& s) {
    return ReadOne<UserReader>(
        s, Prepare::kOnce,
        std::string("SELECT ") + UserReader::kColumns + " FROM users u WHERE u.user_id = :id", id);
  });
}

Result<std::vector<User>> SqlStore::ListUsers(std::int64_t offset, std::int64_t limit,
                                              std::optional<std::int64_t> after) {
  const std::optional<long long> after_id = after;
  return Fetch("list users", [&](soci::session& s) {
    return ReadAll<UserReader>(s, Prepare::kEachRun,
                               std::string("SELECT ") + UserReader::kColumns + " FROM users u" +
                                   (after ? " WHERE u.user_id > :a" : "") + " ORDER BY u.user_id" +
                                   LimitOffset(limit, offset),
                               after_id);
  });
}

Result<std::optional<InferenceRow>> SqlStore::GetInference(const std::string& task_id) {
  return Fetch("get inference", [&](soci::session& s) {
    return ReadOne<InferenceReader>(s, Prepare::kOnce,
                                    std::string("SELECT ") + InferenceReader::kColumns +
                                        " FROM inferences i WHERE i.task_id = :t",
                                    task_id);
  });
}

Status SqlStore::UpdateInferenceStatus(const std::string& task_id, TaskState state) {
  const std::string status(TaskStateName(state));
  // Most reports repeat the stored status (every poll of a task reports it): read first, so
  // those take no write lock at all.
  std::optional<std::string> stored;
  Status st = Read("read inference status", [&](soci::session& s) {
    std::string current;
    Query q(s, "SELECT status FROM inferences WHERE task_id = :id", kReuse);
    q.Use(task_id).Into(current);
    stored.reset();
    if (q.Run()) stored = current;
    return OkStatus();
  });
  if (!st.ok()) return st;
  if (!stored)
    return MakeError(ErrorCode::kNotFound, "no inference with task id '" + task_id + "'");
  const auto stored_state = ParseTaskState(*stored);
  if (*stored == status || (stored_state && IsReady(*stored_state))) return OkStatus();
  return Write("update inference status", [&](soci::session& s) -> Status {
    const std::string now = NowIso();
    // Again in the statement: a final state is final (a stale STARTED read from the result
    // backend just before the worker committed SUCCESS must not overwrite it).
    Query q(s,
            "UPDATE inferences SET status = :s, time_update = :t WHERE task_id = :id AND "
            "status <> :s2 AND status NOT IN ('SUCCESS', 'FAILURE', 'REVOKED')",
            kReuse);
    q.Use(status).Use(now).Use(task_id).Use(status).Run();
    if (q.AffectedRows() == 0) return OkStatus();  // changed meanwhile: nothing to log
    return InsertEvents(s, {kEventStatus}, now);
  });
}

Result<std::vector<UnfinishedInference>> SqlStore::ListUnfinishedInferences(
    const std::string& after, int limit,
    std::optional<std::chrono::system_clock::time_point> older_than) {
  if (limit < 0) return MakeError(ErrorCode::kInvalidArgument, "negative limit");
  std::vector<UnfinishedInference> out;
  // The status test is the partial index's predicate, word for word (schema migration 12).
  std::string sql =
      "SELECT task_id, user_id FROM inferences WHERE status IN ('PENDING', 'STARTED')";
  std::string cutoff;
  if (older_than) {
    // Our own ISO text, so it can be a literal: no quoting concerns.
    const std::string ts =
        "CAST('" + FormatTimestamp(*older_than) + "Z' AS " + dialect_.timestamp_type + ")";
    sql += " AND time_creation < " + ts + " AND (time_update IS NULL OR time_update < " + ts + ")";
  }
  sql += " AND task_id > :a ORDER BY task_id LIMIT :n";
  Status st = Read("list unfinished inferences", [&](soci::session& s) {
    out.clear();
    std::string task_id;
    long long user_id = 0;
    soci::indicator user_ind = soci::i_ok;
    const long long n = limit;
    Query q(s, sql);
    q.Use(after).Use(n).Into(task_id).Into(user_id, user_ind);
    for (bool row = q.Run(); row; row = q.Next()) {
      UnfinishedInference u{task_id, std::nullopt};
      if (user_ind == soci::i_ok) u.user_id = user_id;
      out.push_back(std::move(u));
    }
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

Status SqlStore::TouchUnfinishedInferences(std::span<const std::string> task_ids,
                                           std::chrono::system_clock::time_point at) {
  if (task_ids.empty()) return OkStatus();
  return Write("touch unfinished inferences", [&](soci::session& s) -> Status {
    const std::string when = FormatTimestamp(at) + "Z";
    for (const std::string& id : task_ids) {
      Query(s,
            "UPDATE inferences SET time_update = :t WHERE task_id = :id AND "
            "status IN ('PENDING', 'STARTED')",
            kReuse)
          .Use(when)
          .Use(id)
          .Run();
    }
    return OkStatus();
  });
}

Result<ContentInfo> SqlStore::Info() {
  ContentInfo info;
  Status st = Read("content info", [&](soci::session& s) {
    long long locations = 0, users = 0;
    // The trigger-kept counts (schema migration 12): 32 rows, whatever the history's size.
    Query(s,
          "SELECT COALESCE(SUM(CASE WHEN tab = 'locations' THEN n ELSE 0 END), 0), "
          "COALESCE(SUM(CASE WHEN tab = 'users' THEN n ELSE 0 END), 0) FROM row_counts",
          kReuse)
        .Into(locations)
        .Into(users)
        .Run();
    info.locations = locations;
    info.users = users;
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return info;
}

}  // namespace mlprod::store
