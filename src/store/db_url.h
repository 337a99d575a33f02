// Parses a DATABASE_URL (SQLite file / memory, PostgreSQL URL) into what the SQL store needs to
// connect. Pure functions with no I/O; not a general URL library. Thread-safe.
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
  // PostgreSQL: empty fields are left to libpq's defaults.
  std::string host;
  std::string port;
  std::string user;
  std::string password;
  std::string dbname;
  std::vector<std::pair<std::string, std::string>> params;  // ?key=value, passed to libpq

  // The URL without its password, for logs and error messages.
  std::string Describe() const;
};

// Accepts `sqlite:///abs/path.db`, `sqlite://rel.db`, `sqlite::memory:`, `sqlite://:memory:`,
// `:memory:`, a plain file path, and `postgresql://user:pass@host:port/db?k=v` (also
// `postgres://` and SQLAlchemy's `postgresql+driver://`). Anything else is kInvalidArgument.
Result<DbTarget> ParseDatabaseUrl(std::string_view url);

// libpq keyword/value connect string for a PostgreSQL target. Sessions run in UTC with ISO
// dates and the given connect and statement timeouts (the store's per-call deadlines).
std::string PostgresConnectString(const DbTarget& target, std::chrono::milliseconds connect_timeout,
                                  std::chrono::milliseconds statement_timeout);

}  // namespace mlprod::store
