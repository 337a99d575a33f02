#include "store/sql/schema_adoption.h"

#include <string_view>

namespace mlprod::store {
namespace {

// Tables only mlprod creates (migrations 4 to 12), and its bookkeeping table.
constexpr std::string_view kOwnTables[] = {
    "model_transitions", "model_feedback", "canary_outcomes",   "leases",
    "drift_reports",     "row_counts",     "schema_migrations",
};

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// "" when `have` is the reference's column set for `table` (plus users.name).
std::string ColumnMismatch(const std::string& table, const std::set<std::string>& have) {
  const std::set<std::string>& want = ReferenceColumns().at(table);
  std::set<std::string> missing, extra;
  for (const auto& c : want) {
    if (!have.contains(c)) missing.insert(c);
  }
  for (const auto& c : have) {
    if (!want.contains(c) && !(table == "users" && c == "name")) extra.insert(c);
  }
  if (missing.empty() && extra.empty()) return "";
  std::string out = "table " + table + " has";
  if (!missing.empty()) out += " no " + Join(missing);
  if (!extra.empty()) out += std::string(missing.empty() ? "" : " and") + " extra " + Join(extra);
  return out;
}

// A column mlprod's version 1 declares NOT NULL with a default, and that default in SQL.
struct Defaulted {
  const char* table;
  const char* column;
  const char* value;
};
constexpr Defaulted kDefaults[] = {
    {"users", "pool", "false"},
    {"users", "spa", "false"},
    {"users", "pet_friendly", "false"},
    {"users", "lake", "false"},
    {"users", "mountain", "false"},
    {"users", "sport", "false"},
    {"locations", "has_pool", "false"},
    {"locations", "has_spa", "false"},
    {"locations", "animals", "false"},
    {"locations", "near_lake", "false"},
    {"locations", "near_mountains", "false"},
    {"locations", "has_sport", "false"},
    {"inferences", "status", "''"},
    {"results", "label", "0"},
    {"results", "shown", "false"},
    {"events", "event", "''"},
    {"models", "status", "''"},
    {"models", "path", "''"},
    {"models", "use_percentage", "0"},
};

// A SQL string literal of `text` (its quotes doubled).
std::string Literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

const Catalog& ReferenceColumns() {
  static const std::map<std::string, std::set<std::string>> columns = {
      {"users",
       {"user_id", "creation_time", "people_num", "children_num", "age_avg", "age_std", "age_min",
        "age_max", "budget", "nights", "time_arrival", "pool", "spa", "pet_friendly", "lake",
        "mountain", "sport"}},
      {"locations", {"location_id",
                     "creation_time",
                     "lat",
                     "lon",
                     "children",
                     "breakfast",
                     "lunch",
                     "dinner",
                     "price",
                     "has_pool",
                     "has_spa",
                     "animals",
                     "near_lake",
                     "near_mountains",
                     "has_sport",
                     "family_rating",
                     "outdoor_rating",
                     "food_rating",
                     "leisure_rating",
                     "service_rating",
                     "user_score"}},
      {"inferences", {"task_id", "time_creation", "time_get", "time_update", "user_id", "status"}},
      {"results", {"result_id", "task_id", "user_id", "location_id", "score", "label", "shown"}},
      {"events", {"event_id", "event", "time_event"}},
      {"datasets", {"task_id", "result_id", "time_creation"}},
      {"models",
       {"task_id", "time_creation", "status", "path", "use_percentage", "train_acc", "train_auc",
        "train_pre", "train_rec", "train_f1", "test_acc", "test_auc", "test_pre", "test_rec",
        "test_f1"}},
  };
  return columns;
}

const std::vector<std::string>& ReferenceTables() {
  static const std::vector<std::string> tables = {"users",  "locations", "inferences", "results",
                                                  "events", "datasets",  "models"};
  return tables;
}

SchemaVerdict ClassifySchema(const Catalog& catalog) {
  if (auto it = catalog.find("schema_migrations"); it != catalog.end()) {
    if (it->second.contains("version") && it->second.contains("applied_at")) {
      return {SchemaKind::kOurs, false, ""};
    }
    return {SchemaKind::kForeign, false,
            "a schema_migrations table that is not mlprod's (columns " + Join(it->second) + ")"};
  }
  std::set<std::string> ours_present, reference_present;
  for (const auto& t : kOwnTables) {
    if (catalog.contains(std::string(t))) ours_present.insert(std::string(t));
  }
  for (const auto& t : ReferenceTables()) {
    if (catalog.contains(t)) reference_present.insert(t);
  }
  if (ours_present.empty() && reference_present.empty()) return {SchemaKind::kEmpty, false, ""};
  if (!ours_present.empty()) {
    return {SchemaKind::kForeign, false,
            "tables of mlprod (" + Join(ours_present) + ") without its schema_migrations table"};
  }
  if (reference_present.size() != ReferenceTables().size()) {
    std::set<std::string> missing;
    for (const auto& t : ReferenceTables()) {
      if (!reference_present.contains(t)) missing.insert(t);
    }
    return {SchemaKind::kForeign, false,
            "tables " + Join(reference_present) + " but not " + Join(missing) +
                " (the reference creates all of users, locations, inferences, results, events, "
                "datasets and models)"};
  }
  for (const auto& t : ReferenceTables()) {
    if (std::string why = ColumnMismatch(t, catalog.at(t)); !why.empty()) {
      return {SchemaKind::kForeign, false, why + " (not the reference's columns)"};
    }
  }
  const bool named = catalog.at("users").contains("name");
  return {SchemaKind::kReference, named,
          named ? "the src/mlprod layout (users.name)" : "the 2022 layout (no users.name)"};
}

std::vector<std::string> ReferenceAdoptionStatements(const SchemaVerdict& verdict) {
  std::vector<std::string> out;
  // The reference's names are free text, required only by its newer layout; mlprod's API sends
  // one with every user, and rows without one read as "".
  out.push_back(verdict.reference_has_user_name
                    ? "ALTER TABLE users ALTER COLUMN name SET DEFAULT ''"
                    : "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT ''");
  // mlprod's budgets are real numbers; every INTEGER value converts exactly.
  out.push_back("ALTER TABLE users ALTER COLUMN budget TYPE DOUBLE PRECISION");
  // The model that scored a row: unknown ('') for the reference's rows, as in mlprod's own
  // version 1 for rows written before results named their model.
  out.push_back("ALTER TABLE results ADD COLUMN model_id TEXT NOT NULL DEFAULT ''");
  // The reference's defaults are SQLAlchemy's, applied in Python: the database has none, and
  // its older layout allows NULL where mlprod reads a value.
  for (const auto& table : ReferenceTables()) {
    std::string alter, set, where;
    for (const Defaulted& d : kDefaults) {
      if (table != d.table) continue;
      const std::string c = d.column;
      alter +=
          std::string(alter.empty() ? "" : ", ") + "ALTER COLUMN " + c + " SET DEFAULT " + d.value;
      set += std::string(set.empty() ? "" : ", ") + c + " = COALESCE(" + c + ", " + d.value + ")";
      where += std::string(where.empty() ? "" : " OR ") + c + " IS NULL";
    }
    if (alter.empty()) continue;
    out.push_back("ALTER TABLE " + table + " " + alter);
    out.push_back("UPDATE " + table + " SET " + set + " WHERE " + where);
  }
  return out;
}

std::vector<std::string> AdoptedModelStatements() {
  // After migration 4 the reference's statuses are states: SUCCESS with a share is promoted,
  // PENDING/STARTED pending/training. The transition rows first, while `status` is the old one.
  const std::string target =
      "CASE WHEN status IN ('pending', 'training') THEN 'failed' "
      "WHEN status IN ('promoted', 'canary', 'candidate') THEN 'retired' ELSE status END";
  const std::string reason = "CASE WHEN status IN ('pending', 'training') THEN " +
                             Literal(kAdoptedUnfinishedReason) + " ELSE " +
                             Literal(kAdoptedModelReason) + " END";
  return {
      "INSERT INTO model_transitions (model_id, from_state, to_state, reason) "
      "SELECT task_id, status, " +
          target + ", " + reason + " FROM models WHERE status <> (" + target + ")",
      "UPDATE models SET use_percentage = 0, reason = " + reason + ", status = " + target,
  };
}

}  // namespace mlprod::store
