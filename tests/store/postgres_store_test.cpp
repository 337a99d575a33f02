// The Store contract on a real PostgreSQL (MLPROD_TEST_DATABASE_URL, a throwaway database per
// test; skipped when unset), plus reconnection after the server drops our sessions.
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <chrono>
#include <thread>

#include "common/uuid.h"
#include "store/sql/db_url.h"
#include "store/sql/query.h"
#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgres, StoreTest,
                         ::testing::Values(BackendParam{"postgres", CreatePostgresDatabase}),
                         [](const auto& info) { return info.param.name; });

class PostgresOnly : public StoreTest {};

TEST_P(PostgresOnly, ReconnectsAfterTheServerKillsItsSessions) {
  const std::string app = "mlprod_" + NewUuid().substr(0, 8);
  auto store = OpenStore(db_->url() + "?application_name=" + app);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Ping().ok());
  ASSERT_TRUE((*store)->Info().ok());
  // What a server restart does to idle pooled sessions; waits until they are gone.
  const long long killed = db_->CountSql(
      "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
      "WHERE application_name = '" +
      app + "') AS k");
  ASSERT_GE(killed, 1);
  auto info = (*store)->Info();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_TRUE((*store)->StartInference(SampleUser("after"), "after-kill").ok());
}

// A database that takes no writes (here read-only, as a hot standby or
// default_transaction_read_only makes it): writes fail as kUnavailable (503, not a 500), and
// WriteHealth says why, so readiness does too.
TEST_P(PostgresOnly, AReadOnlyDatabaseMakesWritesUnavailableAndUnhealthy) {
  const std::string app = "mlprod_" + NewUuid().substr(0, 8);
  auto store = OpenStore(db_->url() + "?application_name=" + app);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->StartInference(SampleUser("before"), NewUuid()).ok());
  ASSERT_TRUE((*store)->WriteHealth().ok());
  // New sessions of this throwaway database (dropped from the server's own) are read-only.
  db_->ExecSql(
      "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET "
      "default_transaction_read_only = on', current_database()); END $$");
  db_->CountSql(
      "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM "
      "pg_stat_activity WHERE application_name = '" +
      app + "') AS k");
  // The first write may still meet a session the kill left behind (unavailable as well).
  auto refused = (*store)->StartInference(SampleUser("after"), NewUuid());
  for (int i = 0; i < 3 && (refused.ok() || refused.error().message.find("cannot take writes") ==
                                                std::string::npos);
       ++i) {
    refused = (*store)->StartInference(SampleUser("after"), NewUuid());
  }
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable) << refused.error().message;
  const Status health = (*store)->WriteHealth();
  ASSERT_FALSE(health.ok());
  EXPECT_NE(health.error().message.find("read-only"), std::string::npos) << health.error().message;
}

TEST_P(PostgresOnly, ConnectOpensEveryPooledConnectionBeforeTheFirstRequest) {
  const std::string app = "mlprod_" + NewUuid().substr(0, 8);
  StoreOptions options;
  options.pool_size = 3;
  auto store = OpenStore(db_->url() + "?application_name=" + app, options);
  ASSERT_TRUE(store.ok());
  const std::string count =
      "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" + app + "'";
  EXPECT_EQ(db_->CountSql(count), 0) << "connections are opened lazily until Connect";
  ASSERT_TRUE((*store)->Connect().ok());
  EXPECT_EQ(db_->CountSql(count), 3);
  ASSERT_TRUE((*store)->Connect().ok());
  EXPECT_EQ(db_->CountSql(count), 3) << "a second Connect reuses the open connections";
}

TEST_P(PostgresOnly, MultiHostUrlFallsBackToTheNextHostAsLibpqDoes) {
  const std::string url = db_->url();
  const auto at = url.find('@'), slash = url.find('/', url.find("://") + 3);
  ASSERT_NE(slash, std::string::npos);
  const auto host_start = at == std::string::npos || at > slash ? url.find("://") + 3 : at + 1;
  // Port 1 refuses at once; libpq then tries the real server.
  const std::string multi = url.substr(0, host_start) + "127.0.0.1:1," + url.substr(host_start);
  auto target = ParseDatabaseUrl(multi);
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_NE(target->host.find(','), std::string::npos) << target->Describe();
  auto store = OpenStore(multi);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto st = (*store)->Connect();
  EXPECT_TRUE(st.ok()) << st.error().message;
}

// A raw session on the test database, as the store's pool opens them.
std::unique_ptr<soci::session> OpenSession(const std::string& url) {
  auto target = ParseDatabaseUrl(url);
  EXPECT_TRUE(target.ok());
  return std::make_unique<soci::session>(
      soci::postgresql,
      PostgresConnectString(*target, std::chrono::seconds(5), std::chrono::seconds(30)));
}

TEST_P(PostgresOnly, SessionsAfterTheFirstDialTheAddressItReached) {
  const std::string url = db_->url();
  const auto host_at = url.find("@127.0.0.1:");
  if (host_at == std::string::npos) GTEST_SKIP() << "the test server is not on 127.0.0.1";
  // By name: the first session resolves localhost; the others connect with hostaddr.
  const std::string app = "mlprod_" + NewUuid().substr(0, 8);
  const std::string by_name = url.substr(0, host_at) + "@localhost:" +
                              url.substr(host_at + std::string("@127.0.0.1:").size()) +
                              "?application_name=" + app;
  StoreOptions options;
  options.pool_size = 4;
  auto store = OpenStore(by_name, options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto st = (*store)->Connect();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(
      db_->CountSql("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" + app + "'"),
      4);
  EXPECT_TRUE((*store)->StartInference(SampleUser("by-name"), "by-name").ok());
  auto session = OpenSession(url);
  EXPECT_EQ(PostgresServerAddress(*session), "127.0.0.1");
}

long long PreparedOnServer(soci::session& s) {
  long long n = -1;
  Query(s, "SELECT COUNT(*) FROM pg_prepared_statements").Into(n).Run();
  return n;
}

TEST_P(PostgresOnly, ReusedQueriesArePreparedOnceAndBindNewValuesEachRun) {
  auto s = OpenSession(db_->url());
  const std::string sql = "SELECT CAST(:a AS BIGINT) * 2, CAST(:b AS TEXT) || 'x'";
  for (long long a = 0; a < 20; ++a) {
    const std::string b = "v" + std::to_string(a);
    long long twice = -1;
    std::string text;
    Query q(*s, sql, kReuse);
    q.Use(a).Use(b).Into(twice).Into(text);
    ASSERT_TRUE(q.Run());
    EXPECT_EQ(twice, 2 * a);
    EXPECT_EQ(text, b + "x");
  }
  EXPECT_EQ(PreparedOnServer(*s), 1) << "one named statement for 20 runs of one text";
  // The same text twice at once (rows of the first still being read): the second runs unprepared
  // and both read their own rows.
  long long x = 0, y = 0;
  const long long one = 1, two = 2;
  const std::string rows = "SELECT g FROM generate_series(CAST(:a AS INT), 3) AS g ORDER BY g";
  {
    Query outer(*s, rows, kReuse);
    outer.Use(one).Into(x);
    ASSERT_TRUE(outer.Run());
    EXPECT_EQ(x, 1);
    {
      Query inner(*s, rows, kReuse);
      inner.Use(two).Into(y);
      ASSERT_TRUE(inner.Run());
      EXPECT_EQ(y, 2);
    }
    ASSERT_TRUE(outer.Next());
    EXPECT_EQ(x, 2);
  }
  EXPECT_EQ(PreparedOnServer(*s), 2);
  ForgetPreparedStatements(*s);  // as the pool does, once no Query of the session is alive
}

TEST_P(PostgresOnly, AReusedQueryThatFailsToPrepareFailsTheSameWayAgain) {
  auto s = OpenSession(db_->url());
  for (int attempt = 0; attempt < 2; ++attempt) {
    long long n = 0;
    Query q(*s, "SELECT COUNT(*) FROM no_such_table", kReuse);
    q.Into(n);
    try {
      q.Run();
      ADD_FAILURE() << "a query on a missing table ran";
    } catch (const soci::soci_error& e) {
      EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(PreparedOnServer(*s), 0);
  ForgetPreparedStatements(*s);
}

TEST_P(PostgresOnly, ForgettingADeadSessionsStatementsDoesNotTouchTheServer) {
  const std::string app = "mlprod_" + NewUuid().substr(0, 8);
  auto s = OpenSession(db_->url() + "?application_name=" + app);
  long long n = 0;
  Query(*s, "SELECT COUNT(*) FROM locations", kReuse).Into(n).Run();
  ASSERT_EQ(db_->CountSql("SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM "
                          "pg_stat_activity WHERE application_name = '" +
                          app + "') AS k"),
            1);
  ForgetPreparedStatements(*s);  // no DEALLOCATE on the dead connection (it would throw)
  s.reset();
  // A new session (perhaps at the same address) starts with no statements of the old one.
  auto fresh = OpenSession(db_->url());
  Query(*fresh, "SELECT COUNT(*) FROM locations", kReuse).Into(n).Run();
  EXPECT_EQ(PreparedOnServer(*fresh), 1);
  ForgetPreparedStatements(*fresh);
}

// The SQLSTATE a statement fails with, "" when it succeeds.
std::string SqlState(soci::session& s, const std::string& sql) {
  try {
    Exec(s, sql);
    return "";
  } catch (const soci::postgresql_soci_error& e) {
    return e.sqlstate();
  }
}

// A task with result rows for locations 1 and 2 (of 1..3), saved by the store.
long long SaveTwoResults(Store& store) {
  EXPECT_TRUE(store.LoadLocationsIfEmpty(SampleLocations(3)).ok());
  auto uid = store.StartInference(SampleUser("refs"), "refs");
  EXPECT_TRUE(uid.ok());
  const std::vector<ScoredLocation> scores = {{1, 0.9}, {2, 0.1}};
  EXPECT_TRUE(store.SaveResults("refs", *uid, "m", scores).ok());
  return *uid;
}

// Migration 3 replaced the results foreign keys by per-statement triggers: the referenced side
// must stay as protected as the foreign keys kept it.
TEST_P(PostgresOnly, ReferencedUsersAndLocationsCannotBeDeletedRekeyedOrTruncated) {
  const long long uid = SaveTwoResults(*store_);
  auto s = OpenSession(db_->url());
  const std::string user = std::to_string(uid);
  EXPECT_EQ(SqlState(*s, "DELETE FROM locations WHERE location_id = 1"), "23503");
  EXPECT_EQ(SqlState(*s, "UPDATE locations SET location_id = 100 WHERE location_id = 2"), "23503");
  EXPECT_EQ(SqlState(*s, "TRUNCATE locations"), "0A000");
  EXPECT_EQ(SqlState(*s, "UPDATE locations SET price = price + 1 WHERE location_id = 1"), "");
  EXPECT_EQ(SqlState(*s, "UPDATE locations SET location_id = 3 WHERE location_id = 3"), "");
  EXPECT_EQ(SqlState(*s, "DELETE FROM locations WHERE location_id = 3"), "") << "unreferenced";
  // Without its inference row, only the results still reference the user.
  EXPECT_EQ(SqlState(*s, "DELETE FROM inferences WHERE task_id = 'refs'"), "");
  EXPECT_EQ(SqlState(*s, "DELETE FROM users WHERE user_id = " + user), "23503");
  EXPECT_EQ(SqlState(*s, "UPDATE results SET location_id = 3 WHERE location_id = 1"), "23503");
  EXPECT_EQ(SqlState(*s, "UPDATE results SET user_id = user_id + 1000"), "23503");
  // Results are no longer unique per (task, location) (schema migration 10): a valid re-key
  // passes the reference check and is written.
  EXPECT_EQ(SqlState(*s, "UPDATE results SET location_id = 2, label = 1 WHERE location_id = 1"), "")
      << "a valid re-key passes the reference check";
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM locations"), 2);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM users WHERE user_id = " + user), 1);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE label = 0"), 1);
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE location_id = 2"), 2);
}

// Waits (bounded) until some session waits for a lock on a table of this test's database.
bool SomeoneWaitsForALock(TestDatabase& db) {
  for (int i = 0; i < 200; ++i) {
    if (db.CountSql("SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())") > 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_P(PostgresOnly, DeletingALocationWhileItsResultsAreBeingWrittenFailsEitherWay) {
  const long long uid = SaveTwoResults(*store_);
  const std::string insert =
      "INSERT INTO results (task_id, user_id, location_id, score) VALUES ('t2', " +
      std::to_string(uid) + ", 3, 0.5)";
  auto writer = OpenSession(db_->url());
  auto deleter = OpenSession(db_->url());
  // Results first: the delete waits for the uncommitted rows, then sees them.
  Exec(*writer, "BEGIN");
  ASSERT_EQ(SqlState(*writer, insert), "");
  std::string deleted = "?";
  std::thread del(
      [&] { deleted = SqlState(*deleter, "DELETE FROM locations WHERE location_id = 3"); });
  const bool waited = SomeoneWaitsForALock(*db_);
  Exec(*writer, "COMMIT");
  del.join();
  EXPECT_TRUE(waited) << "the delete should wait for the writer";
  EXPECT_EQ(deleted, "23503");
  // The delete first: the insert waits for it, then finds the location gone.
  Exec(*writer, "DELETE FROM results WHERE task_id = 't2'");
  Exec(*deleter, "BEGIN");
  ASSERT_EQ(SqlState(*deleter, "DELETE FROM locations WHERE location_id = 3"), "");
  std::string inserted = "?";
  std::thread ins([&] { inserted = SqlState(*writer, insert); });
  const bool waited_too = SomeoneWaitsForALock(*db_);
  Exec(*deleter, "COMMIT");
  ins.join();
  EXPECT_TRUE(waited_too) << "the insert should wait for the delete";
  EXPECT_EQ(inserted, "23503");
  EXPECT_EQ(db_->CountSql("SELECT COUNT(*) FROM results WHERE location_id = 3"), 0);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresOnly,
                         ::testing::Values(BackendParam{"postgres", CreatePostgresDatabase}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace mlprod::store::testing
