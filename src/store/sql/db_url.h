// Parses a DATABASE_URL (SQLite file / memory, PostgreSQL URL) into what the SQL store needs to
// connect; PostgreSQL URLs are parsed by libpq itself (PQconninfoParse). Pure functions with no
// I/O; not a general URL library. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace mlprod::store {

enum class Backend { kSqlite, kPostgres };

struct DbTarget {
  Backend backend = Backend::kSqlite;
  // SQLite: the database file, or ":memory:" when in_memory.
  std::string path;
  bool in_memory = false;
  // PostgreSQL, as libpq parsed them; empty fields are left to libpq's defaults. host and port
  // are comma-separated lists for a multi-host URL (postgresql://h1:5432,h2:5433/db).
  std::string host;
  std::string port;
  std::string user;
  std::string password;
  std::string dbname;
  std::vector<std::pair<std::string, std::string>> params;  // libpq's other keywords (?k=v)

  // The URL without its password, for logs and error messages.
  std::string Describe() const;
};

// Accepts `sqlite:///abs/path.db`, `sqlite://rel.db`, `sqlite::memory:`, `sqlite://:memory:`,
// `:memory:`, a plain file path, and every URI libpq accepts: `postgresql://user:pass@host:port/
// db?k=v`, `[::1]` hosts, `h1:5432,h2:5433` host lists, libpq's query keywords (also spelt
// `postgres://` and SQLAlchemy's `postgresql+driver://`). Anything else, an unknown libpq
// keyword and a bad port are kInvalidArgument; errors never repeat the URL (password).
Result<DbTarget> ParseDatabaseUrl(std::string_view url);

// libpq keyword/value connect string for a PostgreSQL target: every keyword libpq parsed from the
// URL, unchanged, plus ours. Sessions run in UTC with ISO dates and the given connect and
// statement timeouts (the store's per-call deadlines) unless the URL sets them.
std::string PostgresConnectString(const DbTarget& target, std::chrono::milliseconds connect_timeout,
                                  std::chrono::milliseconds statement_timeout);

}  // namespace mlprod::store
