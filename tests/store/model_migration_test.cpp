// Schema migration 4 on SQLite over a database written by version 3: the models table is rebuilt
// with nullable metrics, old status strings become lifecycle states (docs/ml.md), values stay.
#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>

#include "common/uuid.h"
#include "store/sql/open_store.h"
#include "store/sql/query.h"
#include "store/sql/schema.h"

namespace mlprod::store {
namespace {

class ModelMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("mlprod-mig-" + NewUuid() + ".db");
    soci::session s(soci::sqlite3, "db=" + path_.string());
    const Dialect& d = DialectFor(Backend::kSqlite);
    Exec(s, SchemaMigrationsDdl(d));
    for (const Migration& m : Migrations(d)) {
      if (m.version >= 4) continue;
      for (const std::string& sql : m.statements) Exec(s, sql);
      Exec(s, "INSERT INTO schema_migrations (version) VALUES (" + std::to_string(m.version) + ")");
    }
    Exec(s,
         "INSERT INTO models (task_id, status, path, use_percentage, test_auc, train_f1) VALUES "
         "('base', 'SUCCESS', '/m/base', 1.0, 0.71, 0.5), "
         "('kept', 'SUCCESS', '/m/kept', 0, 0.65, 0.4), "
         "('old', 'promoted', '/m/old', 0, 0.6, 0.3), "
         "('broken', 'FAILED', '', 0, 0, 0), "
         "('queued', 'PENDING', '', 0, 0, 0)");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    std::filesystem::remove(path_.string() + "-wal", ec);
    std::filesystem::remove(path_.string() + "-shm", ec);
  }
  std::filesystem::path path_;
};

TEST_F(ModelMigrationTest, OldStatusesBecomeStatesAndValuesSurvive) {
  auto store = OpenStore("sqlite://" + path_.string());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());
  auto get = [&](const char* id) { return (*(*store)->GetModel(id)).value(); };
  EXPECT_EQ(get("base").status, "promoted");
  EXPECT_EQ(get("base").test.auc, 0.71);
  EXPECT_EQ(get("base").train.f1, 0.5);
  EXPECT_DOUBLE_EQ(get("base").use_percentage, 1.0);
  EXPECT_EQ(get("base").path, "/m/base");
  EXPECT_EQ(get("kept").status, "rejected");
  EXPECT_EQ(get("kept").test.auc, 0.65);
  EXPECT_EQ(get("old").status, "retired");
  EXPECT_EQ(get("broken").status, "failed");
  EXPECT_FALSE(get("broken").test.auc.has_value()) << "placeholder 0.0 became null";
  EXPECT_EQ(get("queued").status, "pending");
  EXPECT_NE(get("kept").reason.find("SUCCESS"), std::string::npos) << get("kept").reason;
  auto history = (*store)->ListModelTransitions("base");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().to_state, "promoted");
  // The lifecycle works on migrated rows.
  ASSERT_TRUE((*store)
                  ->TransitionModel({.model_id = "queued",
                                     .from = ModelState::kPending,
                                     .to = ModelState::kTraining,
                                     .reason = "started"})
                  .ok());
  ASSERT_TRUE((*store)->Migrate().ok()) << "idempotent";
}

// Migration 16: folders mlprod wrote under a data dir become relative; other paths stay.
TEST(RelativeModelPathsMigration, AbsoluteDataDirFoldersBecomeRelativeOthersStay) {
  const auto path = std::filesystem::temp_directory_path() / ("mlprod-mig16-" + NewUuid() + ".db");
  {
    soci::session s(soci::sqlite3, "db=" + path.string());
    const Dialect& d = DialectFor(Backend::kSqlite);
    Exec(s, SchemaMigrationsDdl(d));
    for (const Migration& m : Migrations(d)) {
      if (m.version >= 16) continue;
      for (const std::string& sql : m.statements) Exec(s, sql);
      Exec(s, "INSERT INTO schema_migrations (version) VALUES (" + std::to_string(m.version) + ")");
    }
    Exec(s,
         "INSERT INTO models (task_id, status, path, use_percentage) VALUES "
         "('baseline', 'promoted', '/srv/old-data/models/baseline', 1.0), "
         "('7548290e-0844-49f5-aaa9-0190f9eab9dc', 'retired', "
         "'/srv/old-data/models/7548290e-0844-49f5-aaa9-0190f9eab9dc', 0), "
         "('elsewhere', 'retired', '/opt/models/other-name', 0), "
         "('already', 'retired', 'models/already', 0), "
         "('queued', 'pending', '', 0)");
  }
  {
    auto store = OpenStore("sqlite://" + path.string());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Migrate().ok());
    auto get = [&](const char* id) { return (*(*store)->GetModel(id)).value().path; };
    EXPECT_EQ(get("baseline"), "models/baseline");
    EXPECT_EQ(get("7548290e-0844-49f5-aaa9-0190f9eab9dc"),
              "models/7548290e-0844-49f5-aaa9-0190f9eab9dc");
    EXPECT_EQ(get("elsewhere"), "/opt/models/other-name") << "not a folder mlprod wrote";
    EXPECT_EQ(get("already"), "models/already");
    EXPECT_EQ(get("queued"), "");
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ec);
  }
}

}  // namespace
}  // namespace mlprod::store
