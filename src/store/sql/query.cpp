#include "store/sql/query.h"

#include <libpq-fe.h>
#include <poll.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <charconv>
#include <memory>
#include <unordered_map>

#include "common/mutex.h"
#include "common/time_util.h"

namespace mlprod::store {

namespace {

// Prepared statements kept per connection; beyond this, kReuse queries run unprepared.
constexpr size_t kMaxPreparedPerSession = 64;

bool IsSqlite(soci::session& session) { return session.get_backend_name() == "sqlite3"; }

// SOCI does not export its backend classes' typeinfo, which UBSan's vptr check on the downcasts
// below would need; the casts are sound (the sessions and statements are PostgreSQL ones).
__attribute__((no_sanitize("vptr"))) void ForgetServerSideName(soci::statement& st) {
  if (auto* backend = static_cast<soci::postgresql_statement_backend*>(st.get_backend())) {
    backend->statementName_.clear();
  }
}

// Between runs a kept SQLite statement must hold nothing: a statement stepped to a row and not
// reset keeps its read transaction (a stale snapshot for the connection's later reads, and a
// WAL checkpoint that cannot finish), and its bindings would point at the caller's freed values.
__attribute__((no_sanitize("vptr"))) void ReleaseSqliteStatement(soci::statement& st) {
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
  if (backend == nullptr || backend->stmt_ == nullptr) return;
  sqlite_api::sqlite3_reset(backend->stmt_);
  sqlite_api::sqlite3_clear_bindings(backend->stmt_);
}

// Guards the kept statements: the map below and each statement's `busy`.
Mutex g_prepared_mu;

}  // namespace

struct Query::Prepared {
  explicit Prepared(soci::session& session) : st(session), sqlite(IsSqlite(session)) {}
  soci::statement st;
  bool sqlite;         // else PostgreSQL
  bool ready = false;  // prepared (on the server, for PostgreSQL)
  // A live Query is using it.
  bool busy MLPROD_GUARDED_BY(g_prepared_mu) = false;
};

namespace {

using PreparedMap = std::unordered_map<std::string, std::unique_ptr<Query::Prepared>>;
// Never destroyed: pooled sessions may still be closed during static destruction.
std::unordered_map<const soci::session*, PreparedMap>& PreparedBySession()
    MLPROD_REQUIRES(g_prepared_mu) {
  static auto* by_session = new std::unordered_map<const soci::session*, PreparedMap>;
  return *by_session;
}

}  // namespace

Query::Query(soci::session& session, std::string sql) : sql_(std::move(sql)) {
  own_.emplace(session);
  st_ = &*own_;
}

Query::Query(soci::session& session, std::string sql, Reuse) : sql_(std::move(sql)) {
  {
    MutexLock lock(g_prepared_mu);
    PreparedMap& kept = PreparedBySession()[&session];
    auto it = kept.find(sql_);
    if (it == kept.end() && kept.size() < kMaxPreparedPerSession) {
      it = kept.emplace(sql_, std::make_unique<Prepared>(session)).first;
    }
    // The same text twice at once on one connection (rows still being read): the second one
    // runs unprepared.
    if (it != kept.end() && !it->second->busy) {
      prepared_ = it->second.get();
      prepared_->busy = true;
      session_ = &session;
      st_ = &prepared_->st;
    }
  }
  if (st_ == nullptr) {
    own_.emplace(session);
    st_ = &*own_;
  }
}

Query::~Query() {
  if (prepared_ == nullptr) return;
  // The exchanges reference this Query's caller's variables: drop them, keep the statement.
  st_->bind_clean_up();
  if (prepared_->sqlite && prepared_->ready) ReleaseSqliteStatement(*st_);
  MutexLock lock(g_prepared_mu);
  prepared_->busy = false;
  // A failed PQprepare leaves SOCI's statement unusable for a second attempt: start afresh.
  if (!prepared_->ready) PreparedBySession()[session_].erase(sql_);
}

bool Query::Run() {
  if (prepared_ == nullptr) {
    st_->alloc();
    st_->prepare(sql_, soci::details::st_one_time_query);
  } else if (!prepared_->ready) {
    st_->alloc();
    // Once per connection: PQprepare (a named server-side statement) or sqlite3_prepare_v2.
    st_->prepare(sql_, soci::details::st_repeatable_query);
    prepared_->ready = true;
  }
  st_->define_and_bind();
  return st_->execute(true);
}

void ForgetPreparedStatements(soci::session& session) {
  PreparedMap gone;
  {
    MutexLock lock(g_prepared_mu);
    auto& by_session = PreparedBySession();
    auto it = by_session.find(&session);
    if (it == by_session.end()) return;
    gone = std::move(it->second);
    by_session.erase(it);
  }
  // The server drops a connection's prepared statements when it closes; no DEALLOCATE round
  // trips (which would fail, and throw, on a connection that is already broken). SQLite's are
  // finalized as they are destroyed here, before the connection closes.
  for (auto& [sql, prepared] : gone) {
    if (!prepared->sqlite) ForgetServerSideName(prepared->st);
  }
}

void Exec(soci::session& session, const std::string& sql) { session << sql; }

namespace {

// SOCI does not export this backend class's typeinfo, which UBSan's vptr check on the downcast
// and member access would need; the cast itself is sound (the session is a PostgreSQL one).
__attribute__((no_sanitize("vptr"))) PGconn* PgConn(soci::session& session) {
  auto* backend = static_cast<soci::postgresql_session_backend*>(session.get_backend());
  return backend == nullptr ? nullptr : backend->conn_;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Error TranslateError(const std::exception& e, Backend backend, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  // A database that takes no writes (disk full, I/O error, read-only) is a dependency's state,
  // not a fault of the request: 503, as a lost connection is.
  if (auto kind = StorageWriteFailure(e, backend)) {
    return MakeError(ErrorCode::kUnavailable, prefix + "database cannot take writes (" +
                                                  std::string(*kind) + "): " + Trim(e.what()));
  }
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pg->sqlstate();
    // 08: connection exception; 57P0x: server shutting down; 53: out of resources.
    if (state.starts_with("08") || state.starts_with("57P") || state.starts_with("53") ||
        pg->get_error_category() == soci::soci_error::connection_error) {
      return MakeError(ErrorCode::kUnavailable, prefix + "database unavailable: " + Trim(e.what()));
    }
    if (state == "57014") return MakeError(ErrorCode::kDeadlineExceeded, prefix + Trim(e.what()));
    if (state.starts_with("23")) return MakeError(ErrorCode::kConflict, prefix + Trim(e.what()));
    // 40001/40P01: serialization failure or deadlock; retrying may help.
    if (state.starts_with("40")) return MakeError(ErrorCode::kUnavailable, prefix + Trim(e.what()));
  }
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    const int rc = lite->result() & 0xff;  // primary result code
    if (rc == 5 || rc == 6) {              // SQLITE_BUSY, SQLITE_LOCKED
      return MakeError(ErrorCode::kUnavailable, prefix + "database busy: " + Trim(e.what()));
    }
    if (rc == 19) return MakeError(ErrorCode::kConflict, prefix + Trim(e.what()));  // CONSTRAINT
    if (rc == 14 || rc == 10 || rc == 13) {  // CANTOPEN, IOERR, FULL
      return MakeError(ErrorCode::kUnavailable, prefix + Trim(e.what()));
    }
  }
  if (const auto* soci_err = dynamic_cast<const soci::soci_error*>(&e)) {
    if (soci_err->get_error_category() == soci::soci_error::connection_error) {
      return MakeError(ErrorCode::kUnavailable, prefix + "database unavailable: " + Trim(e.what()));
    }
    if (soci_err->get_error_category() == soci::soci_error::constraint_violation) {
      return MakeError(ErrorCode::kConflict, prefix + Trim(e.what()));
    }
  }
  if (backend == Backend::kPostgres &&
      std::string_view(e.what()).find("connection") != std::string_view::npos) {
    return MakeError(ErrorCode::kUnavailable, prefix + "database unavailable: " + Trim(e.what()));
  }
  return MakeError(ErrorCode::kInternal, prefix + Trim(e.what()));
}

std::optional<std::string_view> StorageWriteFailure(const std::exception& e, Backend backend) {
  if (backend == Backend::kPostgres) {
    if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
      const std::string state = pg->sqlstate();
      if (state == "53100") return "disk full";
      if (state.starts_with("58")) return "I/O error";
      if (state == "25006") return "read-only";  // a hot standby, default_transaction_read_only
    }
    return std::nullopt;
  }
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    switch (lite->result() & 0xff) {
      case 13:  // SQLITE_FULL (also PRAGMA max_page_count reached)
        return "disk full";
      case 10:  // SQLITE_IOERR
        return "I/O error";
      case 8:  // SQLITE_READONLY
        return "read-only";
      default:
        break;
    }
  }
  return std::nullopt;
}

bool SessionBroken(soci::session& session, Backend backend) {
  if (backend != Backend::kPostgres) return false;
  PGconn* conn = PgConn(session);
  return conn == nullptr || PQstatus(conn) != CONNECTION_OK;
}

bool SessionHealthy(soci::session& session, Backend backend) {
  if (backend != Backend::kPostgres) return true;
  PGconn* conn = PgConn(session);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return false;
  if (PQtransactionStatus(conn) != PQTRANS_IDLE) return false;
  // We never LISTEN, so an idle connection only becomes readable when the server is telling us
  // it closed it (restart, pg_terminate_backend, idle timeout). Costs no round trip.
  pollfd p{PQsocket(conn), POLLIN, 0};
  return poll(&p, 1, 0) == 0;
}

std::string PostgresServerAddress(soci::session& session) {
  if (session.get_backend_name() != "postgresql") return {};
  PGconn* conn = PgConn(session);
  const char* addr = conn == nullptr ? nullptr : PQhostaddr(conn);
  return addr == nullptr ? std::string() : std::string(addr);
}

void AppendInt(std::string& sql, std::int64_t v) { sql += std::to_string(v); }

void AppendDouble(std::string& sql, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  sql.append(buf, end);
  // "1e-05" and "3" are fine in both dialects; nothing else to adjust.
  (void)ec;
}

std::string NormalizeTimestamp(std::string_view s) {
  std::string out(s);
  if (out.size() > 10 && out[10] == ' ') out[10] = 'T';
  if (out.ends_with("+00:00")) {
    out.resize(out.size() - 6);
    out += 'Z';
  } else if (out.ends_with("+00")) {
    out.resize(out.size() - 3);
    out += 'Z';
  }
  return out;
}

std::string NowIso() { return NowTimestamp() + "Z"; }

}  // namespace mlprod::store
