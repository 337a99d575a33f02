// The row counts behind Store::Info (schema migration 12: row_counts kept by triggers), run
// against every backend (instantiated in sqlite_store_test.cpp and postgres_store_test.cpp):
// the counts follow inserts, deletes and rollbacks and start from the rows already there.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

bool IsSqlite(const BackendParam& p) { return p.name == "sqlite"; }

void StartInferences(Store& store, const std::string& prefix, int n) {
  for (int i = 0; i < n; ++i) {
    auto uid = store.StartInference(SampleUser(prefix), prefix + std::to_string(i));
    ASSERT_TRUE(uid.ok()) << uid.error().message;
  }
}

TEST_P(StoreTest, InfoCountsFollowDeletedRowsOneByOneAndInBulk) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(40)).ok());
  StartInferences(*store_, "d", 20);
  ASSERT_EQ(store_->Info()->users, 20);

  // One row, then many keys across all shards in one statement.
  db_->ExecSql("DELETE FROM inferences WHERE task_id = 'd3'");
  db_->ExecSql("DELETE FROM users WHERE user_id NOT IN (SELECT user_id FROM inferences)");
  EXPECT_EQ(store_->Info()->users, 19);
  db_->ExecSql("DELETE FROM locations WHERE location_id > 5");
  EXPECT_EQ(store_->Info()->locations, 5);
  db_->ExecSql("DELETE FROM inferences");
  db_->ExecSql("DELETE FROM users");
  EXPECT_EQ(store_->Info()->users, 0);

  StartInferences(*store_, "e", 3);
  auto info = store_->Info();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->users, 3);
  EXPECT_EQ(info->users, db_->CountSql("SELECT COUNT(*) FROM users"));
}

TEST_P(StoreTest, InfoCountsAreNotChangedByAFailedInsert) {
  StartInferences(*store_, "f", 2);
  // The same task id again: the inference insert fails after the user insert, both roll back.
  EXPECT_FALSE(store_->StartInference(SampleUser("dup"), "f0").ok());
  EXPECT_EQ(store_->Info()->users, 2);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM users"), 2);
}

TEST_P(StoreTest, RowCountsMigrationStartsFromTheRowsAlreadyStored) {
  // A database from before migration 12: no counts table, no triggers, rows already there.
  const bool sqlite = IsSqlite(GetParam());
  if (sqlite) {
    for (const char* t : {"users", "locations"}) {
      db_->ExecSql(std::string("DROP TRIGGER mlprod_row_count_") + t + "_inserted");
      db_->ExecSql(std::string("DROP TRIGGER mlprod_row_count_") + t + "_deleted");
    }
  } else {
    db_->ExecSql("DROP FUNCTION mlprod_row_count_users() CASCADE");
    db_->ExecSql("DROP FUNCTION mlprod_row_count_locations() CASCADE");
  }
  db_->ExecSql("DROP TABLE row_counts");
  db_->ExecSql("DROP INDEX ix_inferences_unfinished");
  db_->ExecSql("DELETE FROM schema_migrations WHERE version = 12");
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(7)).ok());
  StartInferences(*store_, "old", 33);

  auto st = store_->Migrate();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(store_->Info()->users, 33);
  EXPECT_EQ(store_->Info()->locations, 7);
  StartInferences(*store_, "new", 2);
  db_->ExecSql("DELETE FROM locations WHERE location_id = 1");
  EXPECT_EQ(store_->Info()->users, 35);
  EXPECT_EQ(store_->Info()->locations, 6);
}

TEST_P(StoreTest, EmptyingTheLocationsTableResetsItsCount) {
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(9)).ok());
  // PostgreSQL's TRUNCATE fires no row or DELETE trigger: its own trigger resets the count.
  db_->ExecSql(IsSqlite(GetParam()) ? "DELETE FROM locations" : "TRUNCATE locations");
  EXPECT_EQ(store_->Info()->locations, 0);
  ASSERT_TRUE(store_->LoadLocationsIfEmpty(SampleLocations(4)).ok());
  EXPECT_EQ(store_->Info()->locations, 4);
}

}  // namespace
}  // namespace mlprod::store::testing
