// Opens the relational store named by a DATABASE_URL: the SOCI-based SQL store over SQLite or
// PostgreSQL. Not the schema (call Store::Migrate after opening). OpenStore is thread-safe; the
// returned store is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "store/store.h"

namespace mlprod::store {

struct StoreOptions {
  // Connections in the pool. Default: 8. An in-memory SQLite database always uses 1, because
  // each SQLite connection to ":memory:" would be a database of its own.
  int pool_size = 8;
  // How long a call waits for a free connection before failing with kUnavailable. Default: 5 s.
  std::chrono::milliseconds acquire_timeout{5000};
  // Bound on opening a connection (libpq rounds up to whole seconds, minimum 2). Default: 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  // Bound on one SQL statement: PostgreSQL statement_timeout, SQLite busy_timeout (how long a
  // writer waits for the write lock). Default: 30 s.
  std::chrono::milliseconds statement_timeout{30000};
  // Result rows kept per inference: the first N in shown order (a plain list's best N scores;
  // the first N ranks of an interleaved or explored list). Clients read the top rows and
  // training reads shown rows, so N = the largest results limit served loses nothing they use.
  // 0 keeps every row. Default here: 0 (the processes pass --keep-results, default 10).
  int keep_results = 0;
  // How long a write that failed for want of storage (disk full, I/O error, read-only) keeps
  // WriteHealth, and so readiness, unavailable. Default: 30 s.
  std::chrono::milliseconds write_failure_window{30000};
  // SQLite only: PRAGMA max_page_count on every connection, a cap on the file's size (a write
  // beyond it fails as a full disk does). 0 = no cap. Default: 0.
  long long sqlite_max_page_count = 0;
};

// url: `sqlite:///abs/path.db`, `sqlite://rel/path.db`, a plain file path, `sqlite::memory:`,
// or `postgresql://user:pass@host:port/db` (also `postgres://`). A malformed URL is
// kInvalidArgument. Connections are opened lazily, so an unreachable database is not an error
// here: the first call reports it as kUnavailable, and later calls reconnect on their own.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, StoreOptions options = {});

}  // namespace mlprod::store
