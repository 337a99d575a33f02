// Test support for the store suites: one fresh, migrated database per test on SQLite (a temp
// file) or PostgreSQL (a throwaway database in MLPROD_TEST_DATABASE_URL's server), plus raw SQL
// for assertions the Store interface does not expose (event and data set rows). Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/records.h"
#include "store/sql/open_store.h"
#include "store/store.h"

namespace mlprod::store::testing {

// A database the test owns: created on construction, removed on destruction.
class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  virtual std::string url() const = 0;
  // Runs a SELECT COUNT(*)-style query that returns one integer.
  virtual long long CountSql(const std::string& sql) = 0;
  // Runs one statement without results (e.g. DDL that injects a failure).
  virtual void ExecSql(const std::string& sql) = 0;
  // Another connection's open transaction that holds the write lock (SQLite) or an exclusive
  // lock on `users` (PostgreSQL) until the returned handle is destroyed: the store's writes
  // wait for it.
  virtual std::shared_ptr<void> HoldWriteLock() = 0;
};

struct BackendParam {
  std::string name;
  // nullptr with a reason in `skip` when the backend is not available here.
  std::function<std::unique_ptr<TestDatabase>(std::string& skip)> create;
};

std::unique_ptr<TestDatabase> CreateSqliteDatabase(std::string& skip);
std::unique_ptr<TestDatabase> CreatePostgresDatabase(std::string& skip);

// Locations 1..n with distinct, deterministic values.
std::vector<Location> SampleLocations(int n);
User SampleUser(const std::string& name);
// YYYY-MM-DDTHH:MM:SS[.fraction]Z, the form the store returns timestamps in.
bool IsIsoTimestamp(const std::string& s);

class StoreTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;
  // Opens another store on the same database (e.g. a second process).
  std::unique_ptr<Store> OpenAnother(StoreOptions options = {});
  long long CountEvents(const std::string& event);

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

}  // namespace mlprod::store::testing
