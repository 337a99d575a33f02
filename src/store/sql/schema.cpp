#include "store/sql/schema.h"

#include <string_view>

namespace mlprod::store {
namespace {

constexpr Dialect kSqlite{
    .backend = Backend::kSqlite,
    .name = "sqlite",
    .begin_write = "BEGIN IMMEDIATE",
    .migration_lock = "",
    .lock_models = "",
    .timestamp_type = "TEXT",
    .no_limit = "-1",
    .param = "?",
};

constexpr Dialect kPostgres{
    .backend = Backend::kPostgres,
    .name = "postgresql",
    .begin_write = "BEGIN",
    // An arbitrary constant naming "mlprod schema migrations" for pg_advisory_xact_lock.
    .migration_lock = "SELECT pg_advisory_xact_lock(726381904117)",
    .lock_models = "LOCK TABLE models IN SHARE ROW EXCLUSIVE MODE",
    .timestamp_type = "TIMESTAMPTZ",
    .no_limit = "ALL",
    .param = ":v",
};

// The DDL templates below use {ID} (generated key), {KEY} (explicit integer key), {TS}
// (timestamp type), {NOW} (timestamp default) and {DATE}; everything else is common SQL.
}  // namespace

std::string Spell(std::string_view sql, const Dialect& d) {
  const bool pg = d.backend == Backend::kPostgres;
  struct Sub {
    std::string_view from, to;
  };
  const Sub subs[] = {
      {"{ID}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY"},
      {"{KEY}", pg ? "BIGINT PRIMARY KEY" : "INTEGER PRIMARY KEY"},
      {"{TS}", pg ? "TIMESTAMPTZ" : "TEXT"},
      {"{NOW}", pg ? "now()" : "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"},
      {"{DATE}", pg ? "DATE" : "TEXT"},
  };
  std::string out(sql);
  for (const auto& s : subs) {
    for (size_t pos = out.find(s.from); pos != std::string::npos; pos = out.find(s.from, pos)) {
      out.replace(pos, s.from.size(), s.to);
      pos += s.to.size();
    }
  }
  return out;
}

namespace {

// Version 1: the tables of the reference system (same names and columns, so its Grafana SQL
// keeps working) plus results.model_id.
constexpr std::string_view kTablesV1[] = {
    R"(CREATE TABLE users (
  user_id {ID},
  creation_time {TS} NOT NULL DEFAULT {NOW},
  name TEXT NOT NULL DEFAULT '',
  people_num INTEGER NOT NULL,
  children_num INTEGER NOT NULL,
  age_avg DOUBLE PRECISION NOT NULL,
  age_std DOUBLE PRECISION NOT NULL,
  age_min DOUBLE PRECISION NOT NULL,
  age_max DOUBLE PRECISION NOT NULL,
  budget DOUBLE PRECISION NOT NULL,
  nights INTEGER NOT NULL,
  time_arrival {DATE},
  pool BOOLEAN NOT NULL DEFAULT false,
  spa BOOLEAN NOT NULL DEFAULT false,
  pet_friendly BOOLEAN NOT NULL DEFAULT false,
  lake BOOLEAN NOT NULL DEFAULT false,
  mountain BOOLEAN NOT NULL DEFAULT false,
  sport BOOLEAN NOT NULL DEFAULT false))",
    R"(CREATE TABLE locations (
  location_id {KEY},
  creation_time {TS} NOT NULL DEFAULT {NOW},
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  children BOOLEAN NOT NULL,
  breakfast BOOLEAN NOT NULL,
  lunch BOOLEAN NOT NULL,
  dinner BOOLEAN NOT NULL,
  price DOUBLE PRECISION NOT NULL,
  has_pool BOOLEAN NOT NULL DEFAULT false,
  has_spa BOOLEAN NOT NULL DEFAULT false,
  animals BOOLEAN NOT NULL DEFAULT false,
  near_lake BOOLEAN NOT NULL DEFAULT false,
  near_mountains BOOLEAN NOT NULL DEFAULT false,
  has_sport BOOLEAN NOT NULL DEFAULT false,
  family_rating DOUBLE PRECISION NOT NULL,
  outdoor_rating DOUBLE PRECISION NOT NULL,
  food_rating DOUBLE PRECISION NOT NULL,
  leisure_rating DOUBLE PRECISION NOT NULL,
  service_rating DOUBLE PRECISION NOT NULL,
  user_score DOUBLE PRECISION NOT NULL))",
    R"(CREATE TABLE inferences (
  task_id TEXT PRIMARY KEY,
  time_creation {TS} NOT NULL DEFAULT {NOW},
  time_get {TS},
  time_update {TS},
  user_id BIGINT REFERENCES users (user_id),
  status TEXT NOT NULL DEFAULT ''))",
    R"(CREATE TABLE results (
  result_id {ID},
  task_id TEXT NOT NULL,
  user_id BIGINT REFERENCES users (user_id),
  location_id BIGINT REFERENCES locations (location_id),
  score DOUBLE PRECISION NOT NULL,
  label INTEGER NOT NULL DEFAULT 0,
  shown BOOLEAN NOT NULL DEFAULT false,
  model_id TEXT NOT NULL DEFAULT ''))",
    R"(CREATE TABLE events (
  event_id {ID},
  event TEXT NOT NULL DEFAULT '',
  time_event {TS} NOT NULL DEFAULT {NOW}))",
    R"(CREATE TABLE datasets (
  task_id TEXT NOT NULL,
  result_id BIGINT NOT NULL REFERENCES results (result_id),
  time_creation {TS} NOT NULL DEFAULT {NOW},
  PRIMARY KEY (task_id, result_id)))",
    R"(CREATE TABLE models (
  task_id TEXT PRIMARY KEY,
  time_creation {TS} NOT NULL DEFAULT {NOW},
  status TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL DEFAULT '',
  use_percentage DOUBLE PRECISION NOT NULL DEFAULT 0,
  train_acc DOUBLE PRECISION NOT NULL DEFAULT 0,
  train_auc DOUBLE PRECISION NOT NULL DEFAULT 0,
  train_pre DOUBLE PRECISION NOT NULL DEFAULT 0,
  train_rec DOUBLE PRECISION NOT NULL DEFAULT 0,
  train_f1 DOUBLE PRECISION NOT NULL DEFAULT 0,
  test_acc DOUBLE PRECISION NOT NULL DEFAULT 0,
  test_auc DOUBLE PRECISION NOT NULL DEFAULT 0,
  test_pre DOUBLE PRECISION NOT NULL DEFAULT 0,
  test_rec DOUBLE PRECISION NOT NULL DEFAULT 0,
  test_f1 DOUBLE PRECISION NOT NULL DEFAULT 0))",
};

// Version 2: indexes for the hot queries (few: each one slows the 210-row result insert). The
// unique (task_id, location_id) index also makes a redelivered inference unable to duplicate rows,
// even from two workers at once.
constexpr std::string_view kIndexesV2[] = {
    kUniqueResultsIndexV2,
    "CREATE INDEX ix_results_shown ON results (result_id) WHERE shown",
    "CREATE INDEX ix_events_time ON events (time_event)",
    "CREATE INDEX ix_users_creation ON users (creation_time)",
};

// Version 3 (PostgreSQL only): the references of result rows to users and locations are checked
// once per statement instead of once per row. A declared foreign key runs one query, with its own
// executor start-up and a row lock on the referenced row, for every row and key: 420 per
// inference, about half of the CPU of its 210-row insert (docs/decisions.md D3). The triggers
// below enforce the same two references with one anti-join per INSERT and keep the referenced
// side safe as the foreign keys did: deleting, re-keying or truncating a referenced user or
// location fails with SQLSTATE 23503 (foreign_key_violation), with the constraint names and
// messages PostgreSQL itself uses. Instead of a row lock per checked key, the referenced side
// takes a SHARE lock on `results` before looking, which waits for every transaction writing
// results and keeps new ones out until it ends; the insert-side check then sees a committed
// delete (mlprod's transactions are READ COMMITTED, where each query of the check takes a fresh
// snapshot). SQLite keeps its declared foreign keys, whose checks are cheap in-process lookups.
// No colons anywhere in these statements: SOCI would take ":name" for a bound parameter.
constexpr std::string_view kReferenceTriggersV3[] = {
    "ALTER TABLE results DROP CONSTRAINT IF EXISTS results_user_id_fkey, "
    "DROP CONSTRAINT IF EXISTS results_location_id_fkey",
    R"(CREATE FUNCTION mlprod_raise_missing_reference(col TEXT, tab TEXT, k BIGINT)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE foreign_key_violation USING
    MESSAGE = format('insert or update on table "results" violates foreign key constraint '
                     '"results_%s_fkey"', col),
    DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, k, tab);
END
$fn$)",
    // Statement level, after INSERT: every new row's user and location exist.
    R"(CREATE FUNCTION mlprod_results_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  missing BIGINT;
BEGIN
  SELECT n.user_id INTO missing FROM new_results n
   WHERE n.user_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = n.user_id) LIMIT 1;
  IF FOUND THEN PERFORM mlprod_raise_missing_reference('user_id', 'users', missing); END IF;
  SELECT n.location_id INTO missing FROM new_results n
   WHERE n.location_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM locations l WHERE l.location_id = n.location_id) LIMIT 1;
  IF FOUND THEN PERFORM mlprod_raise_missing_reference('location_id', 'locations', missing); END IF;
  RETURN NULL;
END
$fn$)",
    "CREATE TRIGGER mlprod_results_inserted AFTER INSERT ON results "
    "REFERENCING NEW TABLE AS new_results FOR EACH STATEMENT "
    "EXECUTE FUNCTION mlprod_results_inserted()",
    // Row level, only for UPDATEs that name user_id or location_id (mlprod never does).
    R"(CREATE FUNCTION mlprod_results_rekeyed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users WHERE user_id = NEW.user_id) THEN
    PERFORM mlprod_raise_missing_reference('user_id', 'users', NEW.user_id);
  END IF;
  IF NEW.location_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM locations WHERE location_id = NEW.location_id) THEN
    PERFORM mlprod_raise_missing_reference('location_id', 'locations', NEW.location_id);
  END IF;
  RETURN NEW;
END
$fn$)",
    "CREATE TRIGGER mlprod_results_rekeyed AFTER UPDATE OF user_id, location_id ON results "
    "FOR EACH ROW EXECUTE FUNCTION mlprod_results_rekeyed()",
    // The referenced side; TG_ARGV[0] names the key column of users or locations.
    R"(CREATE FUNCTION mlprod_referenced_by_results() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  col TEXT;
  old_key BIGINT;
  used BOOLEAN;
BEGIN
  col = TG_ARGV[0];
  IF TG_OP = 'TRUNCATE' THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM results WHERE %I IS NOT NULL)', col) INTO used;
    IF used THEN
      RAISE feature_not_supported USING
        MESSAGE = 'cannot truncate a table referenced in a foreign key constraint',
        DETAIL = format('Table "results" references "%s".', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
  END IF;
  old_key = CAST(to_jsonb(OLD) ->> col AS BIGINT);
  IF TG_OP = 'UPDATE' AND CAST(to_jsonb(NEW) ->> col AS BIGINT) IS NOT DISTINCT FROM old_key THEN
    RETURN NEW;
  END IF;
  LOCK TABLE results IN SHARE MODE;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM results WHERE %I = $1)', col)
    INTO used USING old_key;
  IF used THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('update or delete on table "%s" violates foreign key constraint '
                       '"results_%s_fkey" on table "results"', TG_TABLE_NAME, col),
      DETAIL = format('Key (%s)=(%s) is still referenced from table "results".', col, old_key);
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$fn$)",
    "CREATE TRIGGER mlprod_referenced_by_results BEFORE DELETE OR UPDATE OF user_id ON users "
    "FOR EACH ROW EXECUTE FUNCTION mlprod_referenced_by_results('user_id')",
    "CREATE TRIGGER mlprod_referenced_by_results_truncate BEFORE TRUNCATE ON users "
    "FOR EACH STATEMENT EXECUTE FUNCTION mlprod_referenced_by_results('user_id')",
    "CREATE TRIGGER mlprod_referenced_by_results BEFORE DELETE OR UPDATE OF location_id "
    "ON locations FOR EACH ROW EXECUTE FUNCTION mlprod_referenced_by_results('location_id')",
    "CREATE TRIGGER mlprod_referenced_by_results_truncate BEFORE TRUNCATE ON locations "
    "FOR EACH STATEMENT EXECUTE FUNCTION mlprod_referenced_by_results('location_id')",
};

// Version 5: live feedback per model. inferences.feedback is the first answer to a task's list
// (NULL none yet, -1 no pick, k >= 0 the pick's position, 10 = beyond the list); model_feedback
// counts those first answers per model and position (-1 no pick, 0..10 picks), so several API
// processes sharing one database read the same totals (SelectResult, RejectResults).
constexpr std::string_view kModelFeedbackV5[] = {
    "ALTER TABLE inferences ADD COLUMN feedback INTEGER",
    R"(CREATE TABLE model_feedback (
  model_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (model_id, position)))",
};

// Version 6: the canary's interleaved lists. results.shown_rank is a row's position in an
// interleaved list (in a list ranked by one model, whose order is the score's, NULL until the
// row is shown, then the rank it was shown at);
// inferences.canary names the candidate a list was interleaved with; canary_outcomes counts
// the first answers to those lists (the canary judge's evidence).
constexpr std::string_view kCanaryV6[] = {
    "ALTER TABLE results ADD COLUMN shown_rank INTEGER",
    "ALTER TABLE inferences ADD COLUMN canary TEXT",
    R"(CREATE TABLE canary_outcomes (
  candidate_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (candidate_id, outcome)))",
};

// Version 7: exploration. An explored list shows uniformly random locations instead of the
// model's top (results.explored, inferences.explored). The propensity — the probability that
// the logging policy shows a row at its rank — is results.propensity for an explored list's
// rows, inferences.propensity for a deterministic list (the same for all its rows; read as 1
// when both are NULL, as for rows written before this version). The partial index serves the
// training task's newest explored rows.
constexpr std::string_view kExplorationV7[] = {
    "ALTER TABLE results ADD COLUMN propensity DOUBLE PRECISION",
    "ALTER TABLE results ADD COLUMN explored BOOLEAN NOT NULL DEFAULT false",
    "ALTER TABLE inferences ADD COLUMN explored BOOLEAN NOT NULL DEFAULT false",
    "ALTER TABLE inferences ADD COLUMN propensity DOUBLE PRECISION",
    "CREATE INDEX ix_results_explored ON results (result_id) WHERE shown AND explored",
};

// Version 8: what the automatic retraining trigger needs when several processes share one
// database. `leases` names the one process that owns a background job (compare-and-set on
// holder and expires_at, in Unix milliseconds of the holders' clocks); `drift_reports` holds
// one input drift summary per process that runs inferences, upserted every few seconds, so
// the trigger owner (an API process without a drift monitor) sees drift.
constexpr std::string_view kAutomationV8[] = {
    R"(CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL))",
    R"(CREATE TABLE drift_reports (
  source TEXT PRIMARY KEY,
  model_id TEXT NOT NULL DEFAULT '',
  max_psi DOUBLE PRECISION NOT NULL DEFAULT 0,
  window_requests BIGINT NOT NULL DEFAULT 0,
  window_size BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL))",
};

// Version 9: models.answers_at_registration, the total of the first-answer counters
// (model_feedback + canary_outcomes) when the row was registered, so "new labels since the
// newest model" is a difference of two small sums instead of a scan of inferences.
constexpr std::string_view kAnswersAtRegistrationV9[] = {
    "ALTER TABLE models ADD COLUMN answers_at_registration BIGINT",
};

// Version 10: smaller indexes, because every index entry is paid per stored row. Results were
// found through the unique (task_id, location_id) index, whose entries carried the 36-character
// id (~55 bytes per row). SQLite now indexes the last 8 characters of task_id (the first 13 since
// version 14)
// (each query compares the whole id too, SqlStore::ResultsOfTask): ~20 bytes per row.
// PostgreSQL indexes task_id alone, not unique, so B-tree deduplication stores a task's id
// once for all its rows. Without the unique index a redelivered task still writes its rows once:
// SaveRows updates the inference row first, whose row lock serialises two savers of one task, and
// guards its insert with NOT EXISTS. ix_results_shown goes too: the training read walks the
// newest results by result_id (a bounded range), where nearly every kept row is shown, and without
// it marking rows shown changes no indexed column, so PostgreSQL updates them in place (HOT, with
// the room fillfactor 85 leaves on each page) instead of adding an entry to every index. Nothing
// in mlprod reads events by time on SQLite (retention walks them by event_id): ix_events_time
// goes there; PostgreSQL keeps it for the reference's Grafana SQL.
constexpr std::string_view kSmallerIndexesSqliteV10[] = {
    "DROP INDEX IF EXISTS ux_results_task_location",
    "CREATE INDEX ix_results_task_tail ON results (substr(task_id, -8))",
    "DROP INDEX IF EXISTS ix_results_shown",
    "DROP INDEX IF EXISTS ix_events_time",
};
constexpr std::string_view kSmallerIndexesPostgresV10[] = {
    "DROP INDEX IF EXISTS ux_results_task_location",
    "CREATE INDEX ix_results_task ON results (task_id)",
    "DROP INDEX IF EXISTS ix_results_shown",
    "ALTER TABLE results SET (fillfactor = 85)",
};

// Version 11: inferences.model_id, the model that ranked the list. Its rows then store
// model_id '' (ResultReader::kModel resolves it), except a candidate's rows of an interleaved
// list: a retrained model's UUID is stored once per list instead of on each of its rows.
constexpr std::string_view kListModelV11[] = {
    "ALTER TABLE inferences ADD COLUMN model_id TEXT",
};

// Version 13: what data retention (Store::DeleteExpiredHistory) looks rows up by. Both: a user
// is deleted only when no other inference references it, and a loop is kept when a data set
// holds one of its results rows (datasets grows per training run, not per loop). PostgreSQL
// also walks expired inferences by time_creation, and its checks of a deleted user (the foreign
// key of inferences, the trigger of migration 3 on results) look the user up in both tables.
// SQLite walks by rowid and checks the other inferences only, since a results row carries its
// inference's user (docs/decisions.md D8): one small integer index entry more per loop.
constexpr std::string_view kRetentionBothV10[] = {
    "CREATE INDEX ix_inferences_user ON inferences (user_id)",
    "CREATE INDEX ix_datasets_result ON datasets (result_id)",
};
constexpr std::string_view kRetentionPostgresV10[] = {
    "CREATE INDEX ix_inferences_time ON inferences (time_creation)",
    "CREATE INDEX ix_results_user ON results (user_id)",
};

// Version 14 (SQLite): results by the head of task_id instead of its tail. Task ids are UUID v7
// since then, whose first 13 characters are their millisecond: a loop's index entries land on
// the page its predecessor's did, where the random tail dirtied one random page of an index of
// ten entries per stored loop, and with a million stored loops those pages were neither cached
// nor written back together (docs/decisions.md D9). Older random ids still spread over the head.
constexpr std::string_view kTaskHeadSqliteV14[] = {
    "CREATE INDEX ix_results_task_head ON results (substr(task_id, 1, 13))",
    "DROP INDEX IF EXISTS ix_results_task_tail",
};

// Version 15 (PostgreSQL): ix_results_explored's predicate no longer names `shown`. A column
// of an index predicate counts as indexed, so marking a list's rows shown (TopResults, about ten
// rows per loop) could not update them in place (HOT): each update added an entry to every index
// of results. `explored` is written once, with the row; the training read of explored rows
// (WHERE shown AND explored) still walks this index. SQLite, which has no HOT updates, keeps its
// index as it is.
constexpr std::string_view kHotShownPostgresV15[] = {
    "DROP INDEX IF EXISTS ix_results_explored",
    "CREATE INDEX ix_results_explored ON results (result_id) WHERE explored",
};

std::vector<std::string> RetentionMigration(const Dialect& d) {
  std::vector<std::string> out = SpellAll(kRetentionBothV10, d);
  if (d.backend == Backend::kPostgres) {
    for (auto& sql : SpellAll(kRetentionPostgresV10, d)) out.push_back(std::move(sql));
  }
  return out;
}

// Version 16: model folders stored relative to the data dir, so a moved or recreated data dir
// keeps its models. Every folder mlprod wrote is <data dir>/models/<task id> (training and
// bootstrap), so an absolute path ending in /models/<task id> is under the data dir and becomes
// models/<task id>; any other path (an operator's) stays. Readers accept both forms.
constexpr std::string_view kRelativeModelPathsV16[] = {
    "UPDATE models SET path = 'models/' || task_id "
    "WHERE path LIKE '/%' AND path LIKE ('%/models/' || task_id)",
};

// Version 17: where a background job stands (data retention's walk), so a restart or another
// holder of its lease goes on from there instead of walking the kept history again. Not in
// `leases`: a lease row goes when its holder gives it up.
constexpr std::string_view kJobProgressV17[] = {
    R"(CREATE TABLE job_progress (
  name TEXT PRIMARY KEY,
  position TEXT NOT NULL,
  updated_at {TS} NOT NULL))",
};

}  // namespace

const Dialect& DialectFor(Backend backend) {
  return backend == Backend::kPostgres ? kPostgres : kSqlite;
}

std::vector<Migration> Migrations(const Dialect& dialect) {
  return {
      {1, "tables of SPEC §5 (reference names) plus results.model_id",
       SpellAll(kTablesV1, dialect)},
      {2, "indexes for results by task, shown results, events by time",
       SpellAll(kIndexesV2, dialect)},
      {3, "results references to users and locations checked per statement (PostgreSQL)",
       dialect.backend == Backend::kPostgres ? SpellAll(kReferenceTriggersV3, dialect)
                                             : std::vector<std::string>{}},
      {4, "typed model lifecycle: models.reason, evidence, nullable metrics, model_transitions",
       ModelLifecycleMigration(dialect)},
      {5, "live feedback per model: inferences.feedback and model_feedback counters",
       SpellAll(kModelFeedbackV5, dialect)},
      {6, "canary: results.shown_rank, inferences.canary, canary_outcomes",
       SpellAll(kCanaryV6, dialect)},
      {7,
       "exploration: results.propensity, results.explored, inferences.explored, "
       "inferences.propensity",
       SpellAll(kExplorationV7, dialect)},
      {8, "automatic retraining: leases, drift_reports", SpellAll(kAutomationV8, dialect)},
      {9, "models.answers_at_registration: new labels counted without a scan",
       SpellAll(kAnswersAtRegistrationV9, dialect)},
      {10, "smaller indexes: results by task without the unique index, no shown index",
       dialect.backend == Backend::kSqlite ? SpellAll(kSmallerIndexesSqliteV10, dialect)
                                           : SpellAll(kSmallerIndexesPostgresV10, dialect)},
      {11, "inferences.model_id: a list's model stored once, not on each result row",
       SpellAll(kListModelV11, dialect)},
      {12, "row_counts: users and locations counted by triggers; unfinished inferences indexed",
       RowCountsMigration(dialect)},
      {13, "data retention: inferences by user (and by time, PostgreSQL), datasets by result",
       RetentionMigration(dialect)},
      {14, "results by the head of task_id (time-ordered task ids; SQLite)",
       dialect.backend == Backend::kSqlite ? SpellAll(kTaskHeadSqliteV14, dialect)
                                           : std::vector<std::string>{}},
      {15, "results marked shown are updated in place (PostgreSQL: explored index without shown)",
       dialect.backend == Backend::kPostgres ? SpellAll(kHotShownPostgresV15, dialect)
                                             : std::vector<std::string>{}},
      {16, "models.path relative to the data dir (absolute <data dir>/models/<id> rewritten)",
       SpellAll(kRelativeModelPathsV16, dialect)},
      {17, "job_progress: where data retention's walk stands, kept across restarts",
       SpellAll(kJobProgressV17, dialect)},
  };
}

std::string SchemaMigrationsDdl(const Dialect& dialect) {
  return Spell(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at {TS} NOT NULL DEFAULT {NOW})",
      dialect);
}

}  // namespace mlprod::store
