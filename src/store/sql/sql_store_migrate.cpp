// SqlStore::Migrate: the versioned schema (schema.h) applied one migration per transaction, after
// a look at what the database holds (schema_adoption.h): mlprod's own schema or an empty one is
// migrated, a reference database is adopted in one transaction, anything else is refused.
#include <spdlog/spdlog.h>

#include <map>

#include "store/sql/query.h"
#include "store/sql/schema_adoption.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

// The tables and columns of the current schema (PostgreSQL: current_schema(); SQLite: main).
Catalog ReadCatalog(soci::session& s, Backend backend) {
  Catalog out;
  std::string table, column;
  Query q(s, backend == Backend::kPostgres
                 ? "SELECT table_name, column_name FROM information_schema.columns "
                   "WHERE table_schema = current_schema()"
                 : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
                   "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
  q.Into(table).Into(column);
  for (bool row = q.Run(); row; row = q.Next()) out[table].insert(column);
  return out;
}

// The refusal of a schema that is neither empty nor mlprod's nor the reference's.
std::string ForeignSchema(const SchemaVerdict& verdict) {
  return "the database is neither empty nor mlprod's nor the reference's: " + verdict.detail;
}

bool Applied(soci::session& s, int version) {
  long long count = 0;
  Query(s, "SELECT COUNT(*) FROM schema_migrations WHERE version = :v")
      .Use(version)
      .Into(count)
      .Run();
  return count > 0;
}

void Record(soci::session& s, int version) {
  const std::string now = NowIso();
  Query(s, "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :t)")
      .Use(version)
      .Use(now)
      .Run();
}

std::map<std::string, long long> CountRows(soci::session& s) {
  std::map<std::string, long long> out;
  for (const std::string& t : ReferenceTables()) {
    long long n = 0;
    Query(s, "SELECT COUNT(*) FROM " + t).Into(n).Run();
    out[t] = n;
  }
  return out;
}

// A models row: its path, the status the reference wrote and the state adoption left it in.
struct AdoptedModel {
  std::string path, from, to;
};

// task_id → path and status (in both `from` and `to`) of every models row.
std::map<std::string, AdoptedModel> ReadModels(soci::session& s) {
  std::map<std::string, AdoptedModel> out;
  std::string id, path, status;
  Query q(s, "SELECT task_id, path, status FROM models");
  q.Into(id).Into(path).Into(status);
  for (bool row = q.Run(); row; row = q.Next()) out[id] = {path, status, status};
  return out;
}

std::string RowCounts(const std::map<std::string, long long>& counts) {
  std::string out;
  for (const std::string& t : ReferenceTables()) {
    out += (out.empty() ? "" : ", ") + std::to_string(counts.at(t)) + " " + t;
  }
  return out;
}

}  // namespace

Status SqlStore::Migrate() {
  const std::vector<Migration> migrations = Migrations(dialect_);
  SchemaVerdict verdict;
  std::map<std::string, long long> kept;
  std::map<std::string, AdoptedModel> models;
  Status st = Write("migrate", [&](soci::session& s) -> Status {
    // Under the lock, so a second process waits and then finds the schema adopted.
    if (*dialect_.migration_lock != '\0') Exec(s, dialect_.migration_lock);
    verdict = ClassifySchema(ReadCatalog(s, target_.backend));
    if (verdict.kind == SchemaKind::kForeign) {
      return MakeError(ErrorCode::kInvalidArgument,
                       ForeignSchema(verdict) +
                           "; refusing to change it (point DATABASE_URL at an empty database, "
                           "one mlprod created or one the reference created)");
    }
    if (verdict.kind != SchemaKind::kReference) return OkStatus();
    if (!postgres()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the database holds the reference's tables (" + verdict.detail +
                           "); adopting a reference database needs PostgreSQL, the reference's "
                           "own backend; nothing was changed");
    }
    // One transaction: adoption, every migration, the model rows. A failure rolls all back.
    kept = CountRows(s);
    for (const std::string& sql : ReferenceAdoptionStatements(verdict)) Exec(s, sql);
    Exec(s, SchemaMigrationsDdl(dialect_));
    Record(s, 1);  // the adopted tables are version 1's
    models = ReadModels(s);
    for (const Migration& m : migrations) {
      if (m.version == 1) continue;
      for (const std::string& sql : m.statements) {
        if (sql != kUniqueResultsIndexV2) Exec(s, sql);  // dropped again by migration 10
      }
      Record(s, m.version);
    }
    // Migration 16 makes paths ending in /models/<id> relative to mlprod's data dir: the
    // reference's folders are not there, so their rows keep the paths the reference wrote.
    for (const auto& [id, m] : models) {
      Query(s, "UPDATE models SET path = :p WHERE task_id = :t").Use(m.path).Use(id).Run();
    }
    for (const std::string& sql : AdoptedModelStatements()) Exec(s, sql);
    for (const auto& [id, m] : ReadModels(s)) models[id].to = m.to;
    if (auto after = CountRows(s); after != kept) {
      return MakeError(ErrorCode::kInternal,
                       "row counts changed during adoption (before: " + RowCounts(kept) +
                           "; after: " + RowCounts(after) + ")");
    }
    return OkStatus();
  });
  if (!st.ok()) {
    if (verdict.kind == SchemaKind::kReference && postgres()) {
      return MakeError(st.error().code, "adopting the reference database (" + verdict.detail +
                                            ") failed, nothing was changed: " + st.error().message);
    }
    return MakeError(st.error().code,
                     "schema check on " + target_.Describe() + ": " + st.error().message);
  }
  if (verdict.kind == SchemaKind::kReference) {
    spdlog::warn(
        "store: ADOPTED the reference database on {} ({}): kept every row ({}); {}, added "
        "results.model_id, widened users.budget to DOUBLE PRECISION, set mlprod's column "
        "defaults, and applied schema migrations 1-{} in the same transaction",
        target_.Describe(), verdict.detail, RowCounts(kept),
        verdict.reference_has_user_name ? "gave users.name a default" : "added users.name",
        migrations.back().version);
    for (const auto& [id, m] : models) {
      spdlog::warn(
          "store: adopted reference model {} ({}): {} -> {}, use_percentage 0 (a reference "
          "model folder: pickled scikit-learn and PyTorch files, which mlprod cannot load)",
          id, m.path, m.from, m.to);
    }
    return OkStatus();
  }
  for (const Migration& m : migrations) {
    bool applied_now = false;
    st = Write("migrate", [&](soci::session& s) {
      // Under the lock, so two processes never both see the version as missing.
      if (*dialect_.migration_lock != '\0') Exec(s, dialect_.migration_lock);
      Exec(s, SchemaMigrationsDdl(dialect_));
      if (Applied(s, m.version)) return OkStatus();
      for (const std::string& sql : m.statements) Exec(s, sql);
      Record(s, m.version);
      applied_now = true;
      return OkStatus();
    });
    if (!st.ok()) {
      return MakeError(st.error().code, "schema migration " + std::to_string(m.version) + " (" +
                                            m.description + "): " + st.error().message);
    }
    if (applied_now) {
      spdlog::info("store: applied schema migration {} ({}) on {}", m.version, m.description,
                   target_.Describe());
    }
  }
  return OkStatus();
}

Status SqlStore::CheckSchema() {
  const int needed = Migrations(dialect_).back().version;
  SchemaVerdict verdict;
  long long applied = 0;
  Status st = Read("schema check", [&](soci::session& s) -> Status {
    verdict = ClassifySchema(ReadCatalog(s, target_.backend));
    if (verdict.kind == SchemaKind::kOurs) {
      Query(s, "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations")
          .Into(applied)
          .Run();
    }
    return OkStatus();
  });
  if (!st.ok()) return st;
  switch (verdict.kind) {
    case SchemaKind::kOurs:
      if (applied >= needed) return OkStatus();
      return MakeError(ErrorCode::kUnavailable,
                       "the database's schema is at version " + std::to_string(applied) +
                           ", this binary needs " + std::to_string(needed) +
                           " (`mlprod api` or `mlprod serve` of this version migrates it)");
    case SchemaKind::kEmpty:
      return MakeError(ErrorCode::kUnavailable,
                       "the database has no mlprod tables yet (`mlprod api` or `mlprod serve` "
                       "creates them)");
    case SchemaKind::kReference:
      return MakeError(ErrorCode::kUnavailable,
                       "the database holds the reference system's tables (" + verdict.detail +
                           "), not adopted yet (`mlprod api` adopts them in place when it starts)");
    case SchemaKind::kForeign:
      break;
  }
  return MakeError(ErrorCode::kInvalidArgument, ForeignSchema(verdict));
}

}  // namespace mlprod::store
