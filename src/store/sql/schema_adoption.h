// Adopting a database the reference system (IDSIA/MLprod's SQLAlchemy models) created: what a
// schema is (mlprod's, empty, the reference's or something else) judged from its tables and
// columns, and the additive statements that bring a reference schema to mlprod's version 1.
// Pure data and functions (applying them is SqlStore::Migrate); thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace mlprod::store {

// Table name → its column names, as the database's catalog lists them (current schema only).
using Catalog = std::map<std::string, std::set<std::string>>;

enum class SchemaKind {
  kEmpty,      // none of the tables mlprod creates: migrations create them
  kOurs,       // mlprod's schema_migrations table is there: migrations continue it
  kReference,  // exactly the reference's seven tables and columns: adoptable
  kForeign,    // anything else: refused, nothing touched
};

struct SchemaVerdict {
  SchemaKind kind = SchemaKind::kEmpty;
  // kReference: users has the `name` column (the src/mlprod layout, NOT NULL there); without
  // it, the 2022 layout.
  bool reference_has_user_name = false;
  // kReference: which layout, for the log; kForeign: what did not match, for the error.
  std::string detail;
};

SchemaVerdict ClassifySchema(const Catalog& catalog);

// The columns the reference's SQLAlchemy models give each table (both layouts; users.name is
// only in the newer one, so it is not listed). Names are what a reference schema is recognised
// by: types and nullability differ between its layouts and are brought in line by the adoption
// statements.
const Catalog& ReferenceColumns();

// The reference's tables, in the order rows are counted and reported.
const std::vector<std::string>& ReferenceTables();

// PostgreSQL statements (one transaction, before migration 2) that give a reference schema
// everything mlprod's version 1 has: users.name and results.model_id added, users.budget
// widened to DOUBLE PRECISION (the reference stores it as INTEGER), and the column defaults
// mlprod's inserts rely on, with NULLs in those columns set to the default. No row is added or
// removed, no column dropped.
std::vector<std::string> ReferenceAdoptionStatements(const SchemaVerdict& verdict);

// PostgreSQL statements run after the last migration, on the adopted `models` rows (every row
// there was written by the reference, whose folders hold pickled scikit-learn and PyTorch files
// mlprod cannot load): none keeps traffic, a promoted one becomes retired, an unfinished one
// (its training task belonged to the reference's workers) failed, each with a transition and
// a reason saying so. Bootstrap then registers mlprod's baseline as the active model.
std::vector<std::string> AdoptedModelStatements();

// The reasons adopted model rows carry (shown by GET /models). No colons: the statements
// embed them, and SOCI would take ":name" for a bound parameter.
inline constexpr const char* kAdoptedModelReason =
    "adopted from the reference database; its folder holds a reference model (pickled "
    "scikit-learn and PyTorch files), which mlprod cannot load";
inline constexpr const char* kAdoptedUnfinishedReason =
    "adopted from the reference database unfinished; its training task belonged to the "
    "reference's workers";

}  // namespace mlprod::store
