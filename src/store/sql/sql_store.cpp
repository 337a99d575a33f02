#include "store/sql/sql_store.h"

#include <algorithm>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/deadline.h"
#include "store/sql/query.h"

namespace mlprod::store {
namespace {

// Process-wide SQLite settings, before its first use. The pool hands a connection to one thread
// at a time, so SQLite's per-connection mutexes are not needed (MULTITHREAD), and its global
// memory statistics would put every sqlite3_malloc of every thread behind one mutex, which
// under load was the most contended lock of `mlprod serve` (MEMSTATUS off). Both fail harmlessly
// with SQLITE_MISUSE when something else has initialised SQLite already.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // soci-sqlite3.h includes sqlite3.h inside namespace sqlite_api.
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, StoreOptions options) {
  auto target = ParseDatabaseUrl(url);
  if (!target.ok()) return target.error();
  if (options.pool_size < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "store pool size must be at least 1, got " +
                                                      std::to_string(options.pool_size));
  }
  // One SQLite connection to ":memory:" is one database: the pool must not hold two.
  if (target->in_memory) options.pool_size = 1;
  if (target->backend == Backend::kSqlite) ConfigureSqliteOnce();
  return std::unique_ptr<Store>(new SqlStore(std::move(target).value(), options));
}

SqlStore::SqlStore(DbTarget target, StoreOptions options)
    : target_(std::move(target)),
      dialect_(DialectFor(target_.backend)),
      options_(options),
      pool_(
          options.pool_size, [this] { return OpenSession(); },
          [this](soci::session& s) { return SessionHealthy(s, target_.backend); }) {}

std::unique_ptr<soci::session> SqlStore::OpenSession() const {
  if (target_.backend == Backend::kPostgres) {
    const std::string conninfo =
        PostgresConnectString(target_, options_.connect_timeout, options_.statement_timeout);
    // One host by name (not a list, a socket directory or the URL's own hostaddr): later
    // sessions dial the address the last one reached (libpq still uses `host` for TLS and
    // .pgpass), and resolve again only when that address no longer answers.
    const bool one_host = !target_.host.empty() && target_.host.front() != '/' &&
                          target_.host.find(',') == std::string::npos &&
                          std::none_of(target_.params.begin(), target_.params.end(),
                                       [](const auto& kv) { return kv.first == "hostaddr"; });
    if (!one_host) return std::make_unique<soci::session>(soci::postgresql, conninfo);
    if (const std::string known = server_address_.Get(); !known.empty()) {
      try {
        return std::make_unique<soci::session>(soci::postgresql, conninfo + " hostaddr=" + known);
      } catch (const std::exception&) {
        server_address_.Forget(known);
      }
    }
    auto s = std::make_unique<soci::session>(soci::postgresql, conninfo);
    if (std::string reached = PostgresServerAddress(*s); !reached.empty()) {
      server_address_.Remember(std::move(reached));
    }
    return s;
  }
  // SOCI's connect string has no quoting for paths with spaces; quote it as SOCI parses it.
  auto s = std::make_unique<soci::session>(soci::sqlite3, "db=\"" + target_.path + "\"");
  // busy_timeout first: switching to WAL needs the lock another process may hold.
  Exec(*s, "PRAGMA busy_timeout = " + std::to_string(options_.statement_timeout.count()));
  if (!target_.in_memory) {
    // Takes effect only in a new, empty file (before its first table): freed pages can then be
    // given back with incremental_vacuum (retention). An existing file keeps its mode and reuses
    // freed pages instead.
    Exec(*s, "PRAGMA auto_vacuum = INCREMENTAL");
    Exec(*s, "PRAGMA journal_mode = WAL");
    // With WAL, NORMAL never corrupts; a power cut may lose the last commits, not more.
    Exec(*s, "PRAGMA synchronous = NORMAL");
    // Checkpoints run on the store's WalCheckpointer thread, not inside a writer's COMMIT.
    Exec(*s, "PRAGMA wal_autocheckpoint = 0");
  }
  Exec(*s, "PRAGMA foreign_keys = ON");
  if (options_.sqlite_max_page_count > 0) {
    Exec(*s, "PRAGMA max_page_count = " + std::to_string(options_.sqlite_max_page_count));
  }
  return s;
}

Status SqlStore::Run(std::string_view what, bool write, const Body& body, bool unchecked,
                     bool one_statement) {
  std::optional<MutexLock> writer;
  if (write && target_.backend == Backend::kSqlite) {
    if (!target_.in_memory) {
      std::call_once(checkpointer_once_, [this] {
        checkpointer_ = std::make_unique<WalCheckpointer>(
            [this] { return OpenSession(); }, sqlite_writer_mu_, WalCheckpointer::Options{});
      });
    }
    writer.emplace(sqlite_writer_mu_);
  }
  // Within the caller's deadline (common/deadline.h): a request's store call neither waits for a
  // connection nor runs a statement beyond the request's budget.
  const auto acquire_within = WithinDeadline(options_.acquire_timeout);
  if (acquire_within.count() == 0 && CurrentDeadline()) {
    return MakeError(ErrorCode::kUnavailable,
                     std::string(what) + ": the request's time budget was spent before it ran");
  }
  auto lease = pool_.Acquire(acquire_within);
  if (!lease.ok()) {
    return MakeError(lease.error().code, std::string(what) + ": " + lease.error().message);
  }
  soci::session& s = lease->session();
  bool in_tx = false;
  // PRAGMA foreign_keys is a no-op inside a transaction: switched around it, restored after.
  const bool fk_off = unchecked && target_.backend == Backend::kSqlite;
  try {
    BoundStatements(*lease, WithinDeadline(options_.statement_timeout));
    if (fk_off) Exec(s, "PRAGMA foreign_keys = OFF");
    if (write && !(one_statement && target_.backend == Backend::kPostgres)) {
      Exec(s, dialect_.begin_write);
      in_tx = true;
    }
    Status st = body(s);
    if (in_tx) {
      Exec(s, st.ok() ? "COMMIT" : "ROLLBACK");
      in_tx = false;
    }
    if (fk_off) Exec(s, "PRAGMA foreign_keys = ON");
    return st;
  } catch (const std::exception& e) {
    Error err = TranslateError(e, target_.backend, what);
    if (auto kind = StorageWriteFailure(e, target_.backend); kind && write) {
      write_failure_kind_.store(kind->data());
      write_failed_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 SystemClock().SteadyNow().time_since_epoch())
                                 .count());
    }
    if (in_tx || fk_off) {
      try {
        if (in_tx) Exec(s, "ROLLBACK");
        if (fk_off) Exec(s, "PRAGMA foreign_keys = ON");
      } catch (const std::exception&) {
        lease->Discard();  // state unknown: never hand this session out again
      }
    }
    if (SessionBroken(s, target_.backend)) {
      lease->Discard();
      err.code = ErrorCode::kUnavailable;
    }
    if (long long suppressed = 0; failure_log_.Allow(&suppressed)) {
      spdlog::warn("store: {} failed ({}): {}{}", what, ErrorCodeName(err.code), err.message,
                   suppressed > 0 ? " (" + std::to_string(suppressed) + " lines suppressed)" : "");
    }
    return err;
  }
}

namespace {

// The cast is sound (the session is a SQLite one); UBSan's vptr check would need the typeinfo
// that SOCI's library does not export (as in query.cpp).
__attribute__((no_sanitize("vptr"))) void SetBusyTimeout(soci::session& s, std::int64_t ms) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
  sqlite_api::sqlite3_busy_timeout(backend->conn_, static_cast<int>(ms));
}

}  // namespace

void SqlStore::BoundStatements(ConnectionPool::Lease& lease, std::chrono::milliseconds bound) {
  // Whole 100 ms, rounded up: a request's calls made soon after it arrived share one value, so
  // PostgreSQL sees a SET only when the bound really changes. 0 in the tag: the configured one.
  constexpr std::int64_t kStepMs = 100;
  std::int64_t ms = (bound.count() + kStepMs - 1) / kStepMs * kStepMs;
  if (ms <= 0) ms = 1;  // 0 would mean "no limit" to both databases
  const std::int64_t tag = ms >= options_.statement_timeout.count() ? 0 : ms;
  if (lease.tag() == tag) return;
  const std::int64_t applied = tag == 0 ? options_.statement_timeout.count() : tag;
  if (target_.backend == Backend::kSqlite) {
    SetBusyTimeout(lease.session(), applied);
  } else {
    Exec(lease.session(), "SET statement_timeout = " + std::to_string(applied));
  }
  lease.tag() = tag;
}

std::string SqlStore::LimitOffset(std::int64_t limit, std::int64_t offset) const {
  std::string sql;
  if (limit >= 0) {
    sql += " LIMIT " + std::to_string(limit);
  } else if (offset > 0) {
    sql += std::string(" LIMIT ") + dialect_.no_limit;
  }
  if (offset > 0) sql += " OFFSET " + std::to_string(offset);
  return sql;
}

std::string SqlStore::ResultsOfTask(std::string_view alias, std::string_view value) const {
  const std::string column = alias.empty() ? "task_id" : std::string(alias) + ".task_id";
  std::string sql = column + " = " + std::string(value);
  if (dialect_.backend != Backend::kSqlite) return sql;
  // SQLite numbers a repeated named parameter once, so the caller still binds it once. The
  // unary + keeps SQLite from propagating "task_id = value" into the indexed expression, which
  // would turn it into substr(value, 1, 13) = substr(value, 1, 13) and leave a full scan.
  const std::string head = ", 1, " + std::to_string(kTaskKeyHeadChars) + ")";
  return "substr(" + column + head + " = substr(" + std::string(value) + head + " AND +" + sql;
}

Status SqlStore::InsertEvents(soci::session& s, std::initializer_list<const char*> events,
                              const std::string& now) {
  std::vector<std::string> names(events.begin(), events.end());
  const std::string p = dialect_.param;
  std::string sql = "INSERT INTO events (event, time_event) VALUES ";
  for (size_t i = 0; i < names.size(); ++i) sql += (i == 0 ? "(" : ", (") + p + ", " + p + ")";
  Query q(s, sql, kReuse);
  for (const std::string& name : names) q.Use(name).Use(now);
  q.Run();
  return OkStatus();
}

namespace {
void SelectOne(soci::session& s) {
  int one = 0;
  Query(s, "SELECT 1", kReuse).Into(one).Run();
}
}  // namespace

Status SqlStore::Ping() {
  return Read("ping", [](soci::session& s) {
    SelectOne(s);
    return OkStatus();
  });
}

Status SqlStore::WriteHealth() {
  const std::int64_t failed = write_failed_ns_.load();
  if (failed == 0) return OkStatus();
  const auto ago = SystemClock().SteadyNow().time_since_epoch() - std::chrono::nanoseconds(failed);
  if (ago >= options_.write_failure_window) return OkStatus();
  const long long seconds = std::chrono::duration_cast<std::chrono::seconds>(ago).count();
  return MakeError(ErrorCode::kUnavailable, std::string("writes failing (") +
                                                write_failure_kind_.load() + "), last " +
                                                std::to_string(seconds) + " s ago");
}

Status SqlStore::Connect() {
  // Holding every lease at once makes each Acquire take a different slot, opening its session.
  std::vector<ConnectionPool::Lease> leases;
  leases.reserve(static_cast<size_t>(pool_.size()));
  for (int i = 0; i < pool_.size(); ++i) {
    auto lease = pool_.Acquire(options_.acquire_timeout);
    if (!lease.ok()) return MakeError(lease.error().code, "connect: " + lease.error().message);
    leases.push_back(std::move(lease).value());
    try {
      SelectOne(leases.back().session());
    } catch (const std::exception& e) {
      leases.back().Discard();
      Error err = TranslateError(e, target_.backend, "connect");
      err.code = ErrorCode::kUnavailable;
      return err;
    }
  }
  return OkStatus();
}

}  // namespace mlprod::store
