// What Migrate finds in a database before it changes anything (store/schema_adoption.h): the
// classification of catalogs, and on SQLite that a database it must not adopt stays untouched.
#include "store/sql/schema_adoption.h"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>

#include "common/uuid.h"
#include "store/sql/open_store.h"
#include "store/sql/query.h"

namespace mlprod::store {
namespace {

Catalog ReferenceCatalog(bool with_name) {
  Catalog c = ReferenceColumns();
  if (with_name) c["users"].insert("name");
  return c;
}

TEST(ClassifySchemaTest, NoTableOfMlprodOrTheReferenceIsEmpty) {
  EXPECT_EQ(ClassifySchema({}).kind, SchemaKind::kEmpty);
  // Other applications' tables (PostGIS's, say) are left alone and do not stop migrations.
  EXPECT_EQ(ClassifySchema({{"spatial_ref_sys", {"srid", "srtext"}}}).kind, SchemaKind::kEmpty);
}

TEST(ClassifySchemaTest, MlprodsMigrationsTableMeansOurs) {
  Catalog c = ReferenceCatalog(true);
  c["schema_migrations"] = {"version", "applied_at"};
  EXPECT_EQ(ClassifySchema(c).kind, SchemaKind::kOurs);
}

TEST(ClassifySchemaTest, AnotherToolsMigrationsTableIsForeign) {
  const SchemaVerdict v = ClassifySchema({{"schema_migrations", {"version", "dirty"}}});
  EXPECT_EQ(v.kind, SchemaKind::kForeign);
  EXPECT_NE(v.detail.find("not mlprod's (columns dirty, version)"), std::string::npos) << v.detail;
}

TEST(ClassifySchemaTest, RecognisesBothReferenceLayouts) {
  const SchemaVerdict old_layout = ClassifySchema(ReferenceCatalog(false));
  EXPECT_EQ(old_layout.kind, SchemaKind::kReference);
  EXPECT_FALSE(old_layout.reference_has_user_name);
  EXPECT_EQ(old_layout.detail, "the 2022 layout (no users.name)");
  const SchemaVerdict new_layout = ClassifySchema(ReferenceCatalog(true));
  EXPECT_EQ(new_layout.kind, SchemaKind::kReference);
  EXPECT_TRUE(new_layout.reference_has_user_name);
}

TEST(ClassifySchemaTest, ADifferentColumnSetIsForeignAndSaysWhich) {
  Catalog c = ReferenceCatalog(false);
  c["results"].erase("shown");
  c["results"].insert("rank");
  const SchemaVerdict v = ClassifySchema(c);
  EXPECT_EQ(v.kind, SchemaKind::kForeign);
  EXPECT_EQ(v.detail, "table results has no shown and extra rank (not the reference's columns)");
  // The reference's oldest layout named its keys id and creation_timestamp.
  c = ReferenceCatalog(false);
  c["users"].erase("user_id");
  c["users"].insert("id");
  EXPECT_EQ(ClassifySchema(c).kind, SchemaKind::kForeign);
}

TEST(ClassifySchemaTest, SomeReferenceTablesOrMlprodTablesWithoutItsBookkeepingAreForeign) {
  Catalog c = ReferenceCatalog(false);
  c.erase("models");
  c.erase("datasets");
  SchemaVerdict v = ClassifySchema(c);
  EXPECT_EQ(v.kind, SchemaKind::kForeign);
  EXPECT_NE(v.detail.find("but not datasets, models"), std::string::npos) << v.detail;
  c = ReferenceCatalog(true);
  c["model_transitions"] = {"transition_id"};
  v = ClassifySchema(c);
  EXPECT_EQ(v.kind, SchemaKind::kForeign);
  EXPECT_NE(v.detail.find("model_transitions"), std::string::npos) << v.detail;
}

TEST(ReferenceAdoptionStatementsTest, AddsUsersNameOnlyWhereTheLayoutHasNone) {
  SchemaVerdict v{SchemaKind::kReference, false, ""};
  EXPECT_EQ(ReferenceAdoptionStatements(v).front(),
            "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT ''");
  v.reference_has_user_name = true;
  EXPECT_EQ(ReferenceAdoptionStatements(v).front(),
            "ALTER TABLE users ALTER COLUMN name SET DEFAULT ''");
}

TEST(ReferenceAdoptionStatementsTest, HoldNoColonAndQuoteTheReasons) {
  // SOCI takes ":name" outside quotes for a bound parameter; the reasons hold an apostrophe.
  std::vector<std::string> all = ReferenceAdoptionStatements({SchemaKind::kReference, false, ""});
  for (auto& sql : AdoptedModelStatements()) all.push_back(sql);
  for (const auto& sql : all) EXPECT_EQ(sql.find(':'), std::string::npos) << sql;
  EXPECT_NE(AdoptedModelStatements().back().find("belonged to the reference''s workers"),
            std::string::npos);
}

class SqliteRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("mlprod-adopt-" + NewUuid() + ".db");
  }
  void TearDown() override {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix, ec);
    }
  }
  void Sql(const std::string& sql) {
    soci::session s(soci::sqlite3, "db=" + path_.string());
    Exec(s, sql);
  }
  long long Count(const std::string& sql) {
    soci::session s(soci::sqlite3, "db=" + path_.string());
    long long n = 0;
    Query(s, sql).Into(n).Run();
    return n;
  }
  Status Migrate() {
    auto store = OpenStore("sqlite://" + path_.string());
    EXPECT_TRUE(store.ok());
    return (*store)->Migrate();
  }
  Status CheckSchema() {
    auto store = OpenStore("sqlite://" + path_.string());
    EXPECT_TRUE(store.ok());
    return (*store)->CheckSchema();
  }
  void CreateReferenceTables() {
    for (const auto& [table, columns] : ReferenceCatalog(false)) {
      std::string ddl = "CREATE TABLE " + table + " (";
      bool first = true;
      for (const auto& c : columns) {
        ddl += (first ? "" : ", ") + c;
        first = false;
      }
      Sql(ddl + ")");
    }
  }
  std::filesystem::path path_;
};

TEST_F(SqliteRefusalTest, AnotherApplicationsUsersTableIsRefusedAndLeftAsItWas) {
  Sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
  Sql("INSERT INTO users (email) VALUES ('a@example.org')");
  const Status st = Migrate();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("neither empty nor mlprod's nor the reference's"),
            std::string::npos)
      << st.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 1);
}

TEST_F(SqliteRefusalTest, AReferenceSchemaNeedsPostgresAndIsLeftAsItWas) {
  CreateReferenceTables();
  const Status st = Migrate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("needs PostgreSQL"), std::string::npos) << st.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"), 7);
}

TEST_F(SqliteRefusalTest, UnrelatedTablesStayAndTheSchemaIsCreatedBesideThem) {
  Sql("CREATE TABLE notes (body TEXT)");
  const Status st = Migrate();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), 17);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notes"), 0);
}

// What `mlprod worker` waits on: it never migrates, and says which process does.
TEST_F(SqliteRefusalTest, CheckSchemaWaitsForAnEmptyDatabaseToBeMigrated) {
  Status st = CheckSchema();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(st.error().message.find("no mlprod tables yet"), std::string::npos)
      << st.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"), 0);
  ASSERT_TRUE(Migrate().ok());
  st = CheckSchema();
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST_F(SqliteRefusalTest, CheckSchemaWaitsForAReferenceSchemaToBeAdoptedAndChangesNothing) {
  CreateReferenceTables();
  const Status st = CheckSchema();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(st.error().message.find("not adopted yet (`mlprod api` adopts them"), std::string::npos)
      << st.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"), 7);
}

TEST_F(SqliteRefusalTest, CheckSchemaWaitsForAnOlderVersionToBeMigrated) {
  ASSERT_TRUE(Migrate().ok());
  const long long newest = Count("SELECT MAX(version) FROM schema_migrations");
  Sql("DELETE FROM schema_migrations WHERE version = " + std::to_string(newest));
  const Status st = CheckSchema();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(st.error().message.find("at version " + std::to_string(newest - 1) +
                                    ", this binary needs " + std::to_string(newest)),
            std::string::npos)
      << st.error().message;
}

TEST_F(SqliteRefusalTest, CheckSchemaRefusesAForeignSchema) {
  Sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
  const Status st = CheckSchema();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("neither empty nor mlprod's nor the reference's"),
            std::string::npos)
      << st.error().message;
}

}  // namespace
}  // namespace mlprod::store
