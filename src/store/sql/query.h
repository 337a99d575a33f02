// Small helpers under the SQL store: a one-shot SOCI statement with exchanges added one by one,
// ReadOne/ReadAll (one row or every row of a SELECT through a Reader of rows.h), SOCI/libpq/SQLite
// error → Error translation, SQL literal formatting and timestamp normalisation. Not a query
// builder. A Query belongs to one thread; the functions are pure.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sql/db_url.h"

namespace mlprod::store {

// Marks a Query whose SQL text is fixed (values bound, never inlined), so it may be reused.
struct Reuse {};
inline constexpr Reuse kReuse{};

// Runs one SQL text. By default unprepared (PostgreSQL: a single PQexecParams round trip, parsed
// and planned every time; SQLite: compiled and finalized every time). With kReuse the text is
// prepared once per connection (PostgreSQL: a named server-side statement; SQLite: a kept
// sqlite3_stmt, reset when the Query ends) and later runs skip parse and planning (a bounded
// number per connection; beyond it kReuse runs unprepared). Bound values are referenced, not
// copied: they must outlive the Query.
class Query {
 public:
  Query(soci::session& session, std::string sql);
  Query(soci::session& session, std::string sql, Reuse);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  template <typename T>
  Query& Use(const T& value) {
    st_->exchange(soci::use(value));
    return *this;
  }
  template <typename T>
  Query& Use(const T&& value) = delete;  // a temporary would dangle
  template <typename T>
  Query& Use(const T& value, soci::indicator& ind) {
    st_->exchange(soci::use(value, ind));
    return *this;
  }
  template <typename T>
  Query& Into(T& value) {
    st_->exchange(soci::into(value));
    return *this;
  }
  template <typename T>
  Query& Into(T& value, soci::indicator& ind) {
    st_->exchange(soci::into(value, ind));
    return *this;
  }

  // Executes; true when a first row was fetched into the Into targets.
  bool Run();
  // The next row into the Into targets; false at the end.
  bool Next() { return st_->fetch(); }
  long long AffectedRows() { return st_->get_affected_rows(); }

  struct Prepared;  // a reusable statement kept for one connection (query.cpp)

 private:
  std::optional<soci::statement> own_;
  Prepared* prepared_ = nullptr;  // when reusing; st_ then points into it
  soci::session* session_ = nullptr;
  soci::statement* st_ = nullptr;
  std::string sql_;
};

// Whether a Query's text is prepared once per connection (the kReuse constructor) or compiled
// for each run (the plain one), for the helpers below.
enum class Prepare { kEachRun, kOnce };

namespace internal {
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

inline void Start(std::optional<Query>& q, soci::session& session, Prepare prepare,
                  std::string sql) {
  if (prepare == Prepare::kOnce) {
    q.emplace(session, std::move(sql), kReuse);
  } else {
    q.emplace(session, std::move(sql));
  }
}

template <typename Reader, typename... Params>
void BindAll(Query& q, Reader& reader, const Params&... params) {
  [[maybe_unused]] auto use = [&q](const auto& p) {
    if constexpr (IsOptional<std::decay_t<decltype(p)>>::value) {
      if (p) q.Use(*p);
    } else {
      q.Use(p);
    }
  };
  (use(params), ...);
  reader.Bind(q);
}
}  // namespace internal

// The row type a Reader of rows.h maps to (its Get()).
template <typename Reader>
using RowOf = std::decay_t<decltype(std::declval<const Reader&>().Get())>;

// "Read one row by id": runs `sql` with `params` bound in order and maps its first row with a
// Reader of rows.h (Bind(Query&), Get()); nullopt when there is none. "List rows": ReadAll maps
// every row. Params are SOCI exchange types (long long, not std::int64_t), referenced while the
// query runs; an unset std::optional binds nothing (its placeholder is then left out of the
// SQL). Throws what SOCI throws: call inside the store's Read, which turns it into an Error.
template <typename Reader, typename... Params>
std::optional<RowOf<Reader>> ReadOne(soci::session& session, Prepare prepare, std::string sql,
                                     const Params&... params) {
  Reader reader;
  std::optional<Query> q;
  internal::Start(q, session, prepare, std::move(sql));
  internal::BindAll(*q, reader, params...);
  if (!q->Run()) return std::nullopt;
  return reader.Get();
}

template <typename Reader, typename... Params>
std::vector<RowOf<Reader>> ReadAll(soci::session& session, Prepare prepare, std::string sql,
                                   const Params&... params) {
  Reader reader;
  std::optional<Query> q;
  internal::Start(q, session, prepare, std::move(sql));
  internal::BindAll(*q, reader, params...);
  std::vector<RowOf<Reader>> rows;
  for (bool row = q->Run(); row; row = q->Next()) rows.push_back(reader.Get());
  return rows;
}

// Drops the prepared statements kept for a session; call before the session is closed, when no
// Query on it is alive.
void ForgetPreparedStatements(soci::session& session);

// Executes a statement without exchanges.
void Exec(soci::session& session, const std::string& sql);

// Maps an exception from SOCI (or anything else) to an Error: lost connection, busy database →
// kUnavailable; statement timeout → kDeadlineExceeded; constraint violation → kConflict; other →
// kInternal. `what` names the operation for the message.
Error TranslateError(const std::exception& e, Backend backend, std::string_view what);
// When `e` says the database cannot take writes at all (disk full, I/O error, read-only
// database or server), a short name for it ("disk full", "I/O error", "read-only"); nullopt for
// anything a later write may not meet (busy, constraint, timeout, a lost connection).
std::optional<std::string_view> StorageWriteFailure(const std::exception& e, Backend backend);
// True when the error means the session itself is unusable and must be reopened.
bool SessionBroken(soci::session& session, Backend backend);

// Cheap check before reusing an idle session: PostgreSQL connection still open and idle.
bool SessionHealthy(soci::session& session, Backend backend);
// The numeric address of the server a PostgreSQL session is connected to over TCP (libpq's
// PQhostaddr); empty for SQLite and Unix-socket sessions.
std::string PostgresServerAddress(soci::session& session);

// SQL literals for multi-row VALUES lists (numbers only; strings are always bound).
void AppendInt(std::string& sql, std::int64_t v);
// Shortest exact decimal; the caller rejects NaN and infinities first.
void AppendDouble(std::string& sql, double v);
inline void AppendBool(std::string& sql, bool v) { sql += v ? "true" : "false"; }

// "2026-11-28 01:22:33.9+00" (PostgreSQL text) or our SQLite text → "2026-11-28T01:22:33.9Z".
std::string NormalizeTimestamp(std::string_view s);
// The current time as ISO-8601 UTC with a Z, as the store writes it.
std::string NowIso();

}  // namespace mlprod::store
