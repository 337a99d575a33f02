// SqlStore: what automatic retraining reads and writes (schema migration 8): leases that give a
// background job one owner among processes sharing the database, the drift reports of the
// processes that run inferences, and the count of new answers since the newest model; where a
// background job stands (schema migration 17).
#include "store/sql/query.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

// A drift_reports row (ListDriftReports): its counts travel as long long.
struct DriftReportReader {
  DriftReport row;
  long long requests = 0, size = 0, updated = 0;

  void Bind(Query& q) {
    q.Into(row.source).Into(row.model_id).Into(row.max_psi).Into(requests).Into(size).Into(updated);
  }
  DriftReport Get() const {
    DriftReport r = row;
    r.window_requests = requests;
    r.window_size = size;
    r.updated_at_ms = updated;
    return r;
  }
};

}  // namespace

Result<bool> SqlStore::AcquireLease(const std::string& name, const std::string& holder,
                                    std::int64_t now_ms, std::int64_t ttl_ms) {
  if (name.empty() || holder.empty() || ttl_ms <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "a lease needs a name, a holder and a ttl > 0");
  }
  bool held = false;
  Status st = Write("acquire lease", [&](soci::session& s) {
    const long long now = now_ms;
    const long long expires = now_ms + ttl_ms;
    // One statement, so the row lock (PostgreSQL) or the write lock (SQLite) makes it a
    // compare-and-set: a live lease of another holder is left alone.
    Query(s,
          "INSERT INTO leases (name, holder, expires_at) VALUES (:n, :h, :e) "
          "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
          "expires_at = excluded.expires_at "
          "WHERE leases.holder = excluded.holder OR leases.expires_at <= :now")
        .Use(name)
        .Use(holder)
        .Use(expires)
        .Use(now)
        .Run();
    std::string current;
    Query(s, "SELECT holder FROM leases WHERE name = :n").Use(name).Into(current).Run();
    held = current == holder;
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return held;
}

Status SqlStore::ReleaseLease(const std::string& name, const std::string& holder) {
  return Write("release lease", [&](soci::session& s) {
    Query(s, "DELETE FROM leases WHERE name = :n AND holder = :h").Use(name).Use(holder).Run();
    return OkStatus();
  });
}

Result<std::string> SqlStore::JobProgress(const std::string& name) {
  std::string position;
  Status st = Read("read job progress", [&](soci::session& s) {
    position.clear();
    Query(s, "SELECT position FROM job_progress WHERE name = :n").Use(name).Into(position).Run();
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return position;
}

Status SqlStore::SaveJobProgress(const std::string& name, const std::string& position) {
  if (name.empty()) return MakeError(ErrorCode::kInvalidArgument, "job progress needs a name");
  return Write("save job progress", [&](soci::session& s) {
    if (position.empty()) {
      Query(s, "DELETE FROM job_progress WHERE name = :n").Use(name).Run();
      return OkStatus();
    }
    const std::string now = NowIso();
    Query(s,
          "INSERT INTO job_progress (name, position, updated_at) VALUES (:n, :p, :u) "
          "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
          "updated_at = excluded.updated_at")
        .Use(name)
        .Use(position)
        .Use(now)
        .Run();
    return OkStatus();
  });
}

Status SqlStore::PublishDriftReport(const DriftReport& r) {
  if (r.source.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a drift report needs a source");
  }
  return Write("publish drift report", [&](soci::session& s) {
    const long long requests = r.window_requests;
    const long long size = r.window_size;
    const long long updated = r.updated_at_ms;
    Query(s,
          "INSERT INTO drift_reports (source, model_id, max_psi, window_requests, window_size, "
          "updated_at) VALUES (:s, :m, :p, :r, :w, :u) ON CONFLICT (source) DO UPDATE SET "
          "model_id = excluded.model_id, max_psi = excluded.max_psi, "
          "window_requests = excluded.window_requests, window_size = excluded.window_size, "
          "updated_at = excluded.updated_at",
          kReuse)
        .Use(r.source)
        .Use(r.model_id)
        .Use(r.max_psi)
        .Use(requests)
        .Use(size)
        .Use(updated)
        .Run();
    return OkStatus();
  });
}

Result<std::vector<DriftReport>> SqlStore::ListDriftReports(std::int64_t since_ms) {
  const long long since = since_ms;
  return Fetch("list drift reports", [&](soci::session& s) {
    return ReadAll<DriftReportReader>(
        s, Prepare::kEachRun,
        "SELECT source, model_id, max_psi, window_requests, window_size, updated_at "
        "FROM drift_reports WHERE updated_at >= :since ORDER BY source",
        since);
  });
}

Result<std::int64_t> SqlStore::CountAnswersSinceNewestModel() {
  long long count = 0;
  Status st = Read("count answers since the newest model", [&](soci::session& s) {
    long long total = 0, at_newest = 0;
    soci::indicator at_ind = soci::i_null;
    int models = 0;
    Query(s,
          std::string("SELECT ") + kAnswersTotal +
              ", (SELECT answers_at_registration FROM models ORDER BY time_creation DESC, task_id"
              " DESC LIMIT 1), (SELECT COUNT(*) FROM (SELECT 1 FROM models LIMIT 1) AS m)",
          kReuse)
        .Into(total)
        .Into(at_newest, at_ind)
        .Into(models)
        .Run();
    if (models == 0 || at_ind == soci::i_ok) {
      count = models == 0 ? total : std::max(0LL, total - at_newest);
      return OkStatus();
    }
    // The newest row predates schema version 9. Both columns are written the same way per
    // backend (timestamptz, or ISO text in SQLite), so they compare without converting either.
    Query(s,
          "SELECT COUNT(*) FROM inferences WHERE feedback IS NOT NULL AND time_creation > "
          "(SELECT MAX(time_creation) FROM models)")
        .Into(count)
        .Run();
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return static_cast<std::int64_t>(count);
}

}  // namespace mlprod::store
