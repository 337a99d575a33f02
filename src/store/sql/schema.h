// The versioned schema of SPEC §5 and the few SQL spellings where SQLite and PostgreSQL differ
// (the dialect table). Plain data and pure functions; applying migrations is SqlStore::Migrate.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/sql/db_url.h"

namespace mlprod::store {

// Everything else in the store is one SQL text accepted by both backends.
struct Dialect {
  Backend backend;
  const char* name;
  // Opens a write transaction. SQLite takes the write lock up front (BEGIN IMMEDIATE), so a
  // reader never has to upgrade its lock mid-transaction, which could deadlock.
  const char* begin_write;
  // Serialises concurrent migrations (PostgreSQL advisory lock; SQLite: the write lock is enough).
  const char* migration_lock;
  // Serialises concurrent model promotions.
  const char* lock_models;
  // Type name for CAST(... AS timestamp).
  const char* timestamp_type;
  // LIMIT value meaning "no limit" (needed before OFFSET).
  const char* no_limit;
  // Marker for one positional parameter, for generated statements with a row of values per item
  // (result rows, events, ids): SQLite needs a distinct ":name" per value and looks each up
  // linearly while compiling (quadratic in their number), "?" costs nothing; SOCI's PostgreSQL
  // backend numbers every ":name" by position, so one name can repeat.
  const char* param;
};

const Dialect& DialectFor(Backend backend);

// SQLite indexes results by the first characters of task_id (migration 14), not the whole id:
// the 13 characters of a UUID v7 holding its millisecond (common/uuid.h) tell a task's rows
// apart from nearly all others (the full id is compared too), the index entry is a third of the
// size, and consecutive tasks append to the same index page instead of a random one.
inline constexpr int kTaskKeyHeadChars = 13;

// Migration 2's unique index of results by (task_id, location_id), which migration 10 drops.
// Adopting a reference database (sql_store_migrate.cpp) runs both in one transaction and skips
// it: the reference's Celery retries may have written a task's location twice.
inline constexpr std::string_view kUniqueResultsIndexV2 =
    "CREATE UNIQUE INDEX ux_results_task_location ON results (task_id, location_id)";

struct Migration {
  int version;
  std::string description;
  std::vector<std::string> statements;  // one SQL statement each, run in one transaction
};

// All migrations in version order, spelled for the dialect.
std::vector<Migration> Migrations(const Dialect& dialect);

// The DDL template spelled for the dialect: {ID} (generated key), {KEY} (explicit integer key),
// {TS} (timestamp type), {NOW} (timestamp default), {DATE}; everything else is common SQL.
std::string Spell(std::string_view sql, const Dialect& d);
template <size_t N>
std::vector<std::string> SpellAll(const std::string_view (&sql)[N], const Dialect& d) {
  std::vector<std::string> out;
  for (auto s : sql) out.push_back(Spell(s, d));
  return out;
}

// Migration 4's statements (schema_lifecycle.cpp): the typed model lifecycle.
std::vector<std::string> ModelLifecycleMigration(const Dialect& dialect);
// Migration 10's statements (schema_row_counts.cpp): row_counts and the triggers keeping it.
std::vector<std::string> RowCountsMigration(const Dialect& dialect);

// DDL of the bookkeeping table, created (if missing) before any migration.
std::string SchemaMigrationsDdl(const Dialect& dialect);

}  // namespace mlprod::store
