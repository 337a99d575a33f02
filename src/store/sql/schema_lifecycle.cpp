#include "store/sql/schema.h"

namespace mlprod::store {
namespace {

// Version 4: the typed model lifecycle (store/model_state.h). models gains `reason` and
// `evidence` (the last transition's), its metric columns become nullable (null: not measured),
// old status strings become states, and model_transitions records every change. SQLite cannot
// drop NOT NULL, so it rebuilds `models` (no foreign key points at it); PostgreSQL alters it.
constexpr std::string_view kModelsRebuildSqliteV4[] = {
    R"(CREATE TABLE models_v4 (
  task_id TEXT PRIMARY KEY,
  time_creation {TS} NOT NULL DEFAULT {NOW},
  status TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL DEFAULT '',
  use_percentage DOUBLE PRECISION NOT NULL DEFAULT 0,
  train_acc DOUBLE PRECISION,
  train_auc DOUBLE PRECISION,
  train_pre DOUBLE PRECISION,
  train_rec DOUBLE PRECISION,
  train_f1 DOUBLE PRECISION,
  test_acc DOUBLE PRECISION,
  test_auc DOUBLE PRECISION,
  test_pre DOUBLE PRECISION,
  test_rec DOUBLE PRECISION,
  test_f1 DOUBLE PRECISION,
  reason TEXT NOT NULL DEFAULT '',
  evidence TEXT))",
    "INSERT INTO models_v4 (task_id, time_creation, status, path, use_percentage, train_acc, "
    "train_auc, train_pre, train_rec, train_f1, test_acc, test_auc, test_pre, test_rec, test_f1) "
    "SELECT task_id, time_creation, status, path, use_percentage, train_acc, train_auc, "
    "train_pre, train_rec, train_f1, test_acc, test_auc, test_pre, test_rec, test_f1 FROM models",
    "DROP TABLE models",
    "ALTER TABLE models_v4 RENAME TO models",
};

constexpr std::string_view kModelsAlterPostgresV4[] = {
    "ALTER TABLE models "
    "ALTER COLUMN train_acc DROP NOT NULL, ALTER COLUMN train_acc DROP DEFAULT, "
    "ALTER COLUMN train_auc DROP NOT NULL, ALTER COLUMN train_auc DROP DEFAULT, "
    "ALTER COLUMN train_pre DROP NOT NULL, ALTER COLUMN train_pre DROP DEFAULT, "
    "ALTER COLUMN train_rec DROP NOT NULL, ALTER COLUMN train_rec DROP DEFAULT, "
    "ALTER COLUMN train_f1 DROP NOT NULL, ALTER COLUMN train_f1 DROP DEFAULT, "
    "ALTER COLUMN test_acc DROP NOT NULL, ALTER COLUMN test_acc DROP DEFAULT, "
    "ALTER COLUMN test_auc DROP NOT NULL, ALTER COLUMN test_auc DROP DEFAULT, "
    "ALTER COLUMN test_pre DROP NOT NULL, ALTER COLUMN test_pre DROP DEFAULT, "
    "ALTER COLUMN test_rec DROP NOT NULL, ALTER COLUMN test_rec DROP DEFAULT, "
    "ALTER COLUMN test_f1 DROP NOT NULL, ALTER COLUMN test_f1 DROP DEFAULT, "
    "ADD COLUMN reason TEXT NOT NULL DEFAULT '', ADD COLUMN evidence TEXT",
};

// Both backends, after the table change. Old statuses map as documented in docs/ml.md: queued
// and running stay pending/training, FAILED/FAILURE → failed, any other with a traffic share →
// promoted, without one: "promoted"/"baseline" → retired, the rest (SUCCESS, kept...) →
// rejected. Models that never finished lose their 0.0 placeholder metrics.
constexpr std::string_view kLifecycleV4[] = {
    R"(CREATE TABLE model_transitions (
  transition_id {ID},
  model_id TEXT NOT NULL,
  time {TS} NOT NULL DEFAULT {NOW},
  from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  evidence TEXT,
  manual BOOLEAN NOT NULL DEFAULT false))",
    "CREATE INDEX ix_model_transitions_model ON model_transitions (model_id, transition_id)",
    "UPDATE models SET reason = 'schema migration 4 from status ' || status",
    R"(UPDATE models SET status = CASE
  WHEN status IN ('PENDING', 'pending') THEN 'pending'
  WHEN status IN ('TRAINING', 'STARTED', 'training') THEN 'training'
  WHEN status IN ('FAILED', 'FAILURE', 'failed') THEN 'failed'
  WHEN use_percentage > 0 THEN 'promoted'
  WHEN status IN ('promoted', 'baseline', 'retired') THEN 'retired'
  ELSE 'rejected' END)",
    "UPDATE models SET train_acc = NULL, train_auc = NULL, train_pre = NULL, train_rec = NULL, "
    "train_f1 = NULL, test_acc = NULL, test_auc = NULL, test_pre = NULL, test_rec = NULL, "
    "test_f1 = NULL WHERE status IN ('pending', 'training', 'failed')",
    "INSERT INTO model_transitions (model_id, from_state, to_state, reason) "
    "SELECT task_id, '', status, reason FROM models",
};

}  // namespace

std::vector<std::string> ModelLifecycleMigration(const Dialect& d) {
  std::vector<std::string> out = d.backend == Backend::kPostgres
                                     ? SpellAll(kModelsAlterPostgresV4, d)
                                     : SpellAll(kModelsRebuildSqliteV4, d);
  for (auto& sql : SpellAll(kLifecycleV4, d)) out.push_back(std::move(sql));
  return out;
}

}  // namespace mlprod::store
