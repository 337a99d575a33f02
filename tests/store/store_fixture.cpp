#include "store_fixture.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "common/uuid.h"
#include "store/sql/db_url.h"
#include "store/sql/query.h"

namespace mlprod::store::testing {
namespace {

class SqliteDatabase : public TestDatabase {
 public:
  SqliteDatabase() {
    dir_ = std::filesystem::temp_directory_path() / ("mlprod-store-test-" + NewUuid());
    std::filesystem::create_directories(dir_);
  }
  ~SqliteDatabase() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string url() const override { return "sqlite://" + (dir_ / "store.db").string(); }
  // A connection of the test's own beside the store's: it waits for their locks (a checkpoint,
  // a commit) as the store's connections do, instead of failing with "database is locked".
  std::string SqliteConnectString() const {
    return "db=" + (dir_ / "store.db").string() + " timeout=10";
  }
  long long CountSql(const std::string& sql) override {
    soci::session s(soci::sqlite3, SqliteConnectString());
    long long n = -1;
    Query(s, sql).Into(n).Run();
    return n;
  }
  void ExecSql(const std::string& sql) override {
    soci::session s(soci::sqlite3, SqliteConnectString());
    Exec(s, sql);
  }
  std::shared_ptr<void> HoldWriteLock() override {
    auto s = std::make_shared<soci::session>(soci::sqlite3, SqliteConnectString());
    Exec(*s, "BEGIN IMMEDIATE");
    return s;  // closing the session rolls the transaction back
  }

 private:
  std::filesystem::path dir_;
};

std::string WithDatabase(const std::string& url, const std::string& db) {
  const auto query = url.find('?');
  const std::string base = url.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base.substr(0, base.rfind('/') + 1) + db + rest;
}

std::string ConnectString(const std::string& url) {
  auto target = ParseDatabaseUrl(url);
  EXPECT_TRUE(target.ok()) << target.error().message;
  return PostgresConnectString(*target, std::chrono::seconds(5), std::chrono::seconds(30));
}

class PostgresDatabase : public TestDatabase {
 public:
  explicit PostgresDatabase(std::string server_url) : server_url_(std::move(server_url)) {
    name_ = "mlprod_t_" + NewUuid().substr(0, 8);
    soci::session admin(soci::postgresql, ConnectString(server_url_));
    admin << "CREATE DATABASE " + name_;
  }
  ~PostgresDatabase() override {
    try {
      soci::session admin(soci::postgresql, ConnectString(server_url_));
      admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not drop test database " << name_ << ": " << e.what();
    }
  }
  std::string url() const override { return WithDatabase(server_url_, name_); }
  long long CountSql(const std::string& sql) override {
    soci::session s(soci::postgresql, ConnectString(url()));
    long long n = -1;
    Query(s, sql).Into(n).Run();
    return n;
  }
  void ExecSql(const std::string& sql) override {
    soci::session s(soci::postgresql, ConnectString(url()));
    Exec(s, sql);
  }
  std::shared_ptr<void> HoldWriteLock() override {
    auto s = std::make_shared<soci::session>(soci::postgresql, ConnectString(url()));
    Exec(*s, "BEGIN");
    Exec(*s, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
    return s;
  }

 private:
  std::string server_url_;
  std::string name_;
};

}  // namespace

std::unique_ptr<TestDatabase> CreateSqliteDatabase(std::string&) {
  return std::make_unique<SqliteDatabase>();
}

std::unique_ptr<TestDatabase> CreatePostgresDatabase(std::string& skip) {
  const char* url = std::getenv("MLPROD_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    skip = "MLPROD_TEST_DATABASE_URL is not set (run: eval \"$(scripts/services.sh start)\")";
    return nullptr;
  }
  return std::make_unique<PostgresDatabase>(url);
}

std::vector<Location> SampleLocations(int n) {
  std::vector<Location> out;
  for (int i = 1; i <= n; ++i) {
    Location l;
    l.location_id = i;
    l.lat = 46.0 + i * 0.01;
    l.lon = 8.9 - i * 0.01;
    l.children = i % 2 == 0;
    l.breakfast = i % 3 == 0;
    l.lunch = true;
    l.dinner = i % 5 != 0;
    l.price = 50.5 + i;
    l.has_pool = i % 4 == 0;
    l.has_spa = i % 7 == 0;
    l.animals = i % 2 == 1;
    l.near_lake = i % 3 == 1;
    l.near_mountains = i % 6 == 0;
    l.has_sport = i % 5 == 1;
    l.family_rating = (i % 10) / 2.0;
    l.outdoor_rating = 1.25;
    l.food_rating = 0.1 * i;
    l.leisure_rating = 3;
    l.service_rating = 4.75;
    l.user_score = 1.0 / 3.0;
    out.push_back(l);
  }
  return out;
}

User SampleUser(const std::string& name) {
  User u;
  u.name = name;
  const int ages[] = {34, 36, 8};
  SetAges(u, ages);
  u.children_num = 1;
  u.budget = 1250.5;
  u.nights = 7;
  u.time_arrival = "2026-07-14";
  u.pool = true;
  u.lake = true;
  u.sport = true;
  return u;
}

// No std::regex: GCC 12 warns inside it under ASan.
bool IsIsoTimestamp(const std::string& s) {
  const std::string shape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < shape.size() + 1 || s.back() != 'Z') return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != shape[i]) {
      return false;
    }
  }
  const std::string rest = s.substr(shape.size(), s.size() - shape.size() - 1);
  if (rest.empty()) return true;
  if (rest[0] != '.' || rest.size() < 2) return false;
  for (size_t i = 1; i < rest.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return false;
  }
  return true;
}

void StoreTest::SetUp() {
  std::string skip;
  db_ = GetParam().create(skip);
  if (db_ == nullptr) GTEST_SKIP() << skip;
  auto store = OpenStore(db_->url());
  ASSERT_TRUE(store.ok()) << store.error().message;
  store_ = std::move(store).value();
  auto st = store_->Migrate();
  ASSERT_TRUE(st.ok()) << st.error().message;
}

std::unique_ptr<Store> StoreTest::OpenAnother(StoreOptions options) {
  auto store = OpenStore(db_->url(), options);
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(store).value() : nullptr;
}

long long StoreTest::CountEvents(const std::string& event) {
  return db_->CountSql("SELECT COUNT(*) FROM events WHERE event = '" + event + "'");
}

}  // namespace mlprod::store::testing
