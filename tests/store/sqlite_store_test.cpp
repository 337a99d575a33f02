// The Store contract on SQLite (a temp file per test), plus the hermetic parts of the store:
// URL parsing, timestamp normalisation, the pool's bounded wait and an unreachable server.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/mutex.h"
#include "store/sql/connection_pool.h"
#include "store/sql/db_url.h"
#include "store/sql/query.h"
#include "store/sql/wal_checkpointer.h"
#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest,
                         ::testing::Values(BackendParam{"sqlite", CreateSqliteDatabase}),
                         [](const auto& info) { return info.param.name; });

TEST(DatabaseUrl, ParsesPostgresUrlWithEscapedPasswordAndParams) {
  auto t = ParseDatabaseUrl("postgresql://mlp:p%40ss%3Aw@db.local:5433/mlpdb?sslmode=disable");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->backend, Backend::kPostgres);
  EXPECT_EQ(t->user, "mlp");
  EXPECT_EQ(t->password, "p@ss:w");
  EXPECT_EQ(t->host, "db.local");
  EXPECT_EQ(t->port, "5433");
  EXPECT_EQ(t->dbname, "mlpdb");
  ASSERT_EQ(t->params.size(), 1u);
  EXPECT_EQ(t->params[0].second, "disable");
  EXPECT_EQ(t->Describe(), "postgresql://mlp:***@db.local:5433/mlpdb");
}

TEST(DatabaseUrl, LetsLibpqReadIpv6MultiHostAndItsParameters) {
  auto v6 = ParseDatabaseUrl("postgresql://u@[::1]/db");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->dbname, "db");
  EXPECT_EQ(v6->Describe(), "postgresql://u@[::1]/db");
  auto multi = ParseDatabaseUrl(
      "postgresql://mlp:pw@h1:5432,h2:5433/mlpdb?target_session_attrs=read-write&sslmode=disable");
  ASSERT_TRUE(multi.ok()) << multi.error().message;
  EXPECT_EQ(multi->host, "h1,h2");
  EXPECT_EQ(multi->port, "5432,5433");
  EXPECT_EQ(multi->Describe(), "postgresql://mlp:***@h1:5432,h2:5433/mlpdb");
  const std::string cs =
      PostgresConnectString(*multi, std::chrono::seconds(5), std::chrono::seconds(30));
  EXPECT_NE(cs.find("host='h1,h2'"), std::string::npos) << cs;
  EXPECT_NE(cs.find("port='5432,5433'"), std::string::npos) << cs;
  EXPECT_NE(cs.find("target_session_attrs='read-write'"), std::string::npos) << cs;
  // libpq's own spelling of a host list as a query parameter.
  EXPECT_EQ(ParseDatabaseUrl("postgresql:///db?host=/run/postgresql")->host, "/run/postgresql");
}

TEST(DatabaseUrl, RejectsWhatLibpqRejectsWithoutEchoingThePassword) {
  for (const char* bad :
       {"postgresql://u:s3cret@h/d?no_such_keyword=1", "postgresql://u:s3cret@[::1/d",
        "postgresql://u:s3cret@h:70000/d", "postgresql://u:s3cret@h1:5432,h2:x/d"}) {
    auto t = ParseDatabaseUrl(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(t.error().message.find("s3cret"), std::string::npos) << t.error().message;
  }
}

TEST(DatabaseUrl, UrlOptionsComeAfterOursSoTheyWin) {
  auto t =
      ParseDatabaseUrl("postgresql://u@h/d?options=-c%20statement_timeout%3D9&connect_timeout=7");
  ASSERT_TRUE(t.ok()) << t.error().message;
  const std::string cs =
      PostgresConnectString(*t, std::chrono::seconds(5), std::chrono::seconds(3));
  EXPECT_NE(cs.find("statement_timeout=3000 -c statement_timeout=9'"), std::string::npos) << cs;
  EXPECT_GT(cs.rfind("connect_timeout='7'"), cs.find("connect_timeout='5'")) << cs;
}

TEST(DatabaseUrl, AcceptsTheReferenceAndSqlAlchemySpellings) {
  EXPECT_EQ(ParseDatabaseUrl("postgres://u@h/d")->backend, Backend::kPostgres);
  EXPECT_EQ(ParseDatabaseUrl("postgresql+psycopg2://u:p@database/mlpdb")->host, "database");
  EXPECT_EQ(ParseDatabaseUrl("postgresql://mlp:mlp@database/mlpdb")->port, "");
}

TEST(DatabaseUrl, ParsesSqliteForms) {
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///var/lib/mlprod/db.sqlite")->path,
            "/var/lib/mlprod/db.sqlite");
  EXPECT_EQ(ParseDatabaseUrl("sqlite://data/mlprod.db")->path, "data/mlprod.db");
  EXPECT_EQ(ParseDatabaseUrl("./data/mlprod.db")->path, "./data/mlprod.db");
  EXPECT_TRUE(ParseDatabaseUrl("sqlite::memory:")->in_memory);
  EXPECT_TRUE(ParseDatabaseUrl("sqlite://:memory:")->in_memory);
  EXPECT_TRUE(ParseDatabaseUrl(":memory:")->in_memory);
}

TEST(DatabaseUrl, RejectsUnknownSchemesAndBadPorts) {
  auto bad = ParseDatabaseUrl("mysql://u:p@h/d");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("unknown scheme 'mysql'"), std::string::npos);
  EXPECT_FALSE(ParseDatabaseUrl("postgresql://u@h:port/d").ok());
  EXPECT_FALSE(ParseDatabaseUrl("postgresql://u:%zz@h/d").ok());
  EXPECT_FALSE(ParseDatabaseUrl("").ok());
  EXPECT_EQ(OpenStore("redis://x/0").error().code, ErrorCode::kInvalidArgument);
}

TEST(DatabaseUrl, ConnectStringQuotesValuesAndSetsDeadlines) {
  auto t = ParseDatabaseUrl("postgresql://u:it's@h:1/d");
  const std::string cs =
      PostgresConnectString(*t, std::chrono::milliseconds(500), std::chrono::seconds(3));
  EXPECT_NE(cs.find("password='it\\'s'"), std::string::npos) << cs;
  EXPECT_NE(cs.find("connect_timeout='2'"), std::string::npos) << cs;
  EXPECT_NE(cs.find("statement_timeout=3000"), std::string::npos) << cs;
}

TEST(StoreTimestamps, NormalisesPostgresTextToIso8601) {
  EXPECT_EQ(NormalizeTimestamp("2026-11-28 01:22:33.935992+00"), "2026-11-28T01:22:33.935992Z");
  EXPECT_EQ(NormalizeTimestamp("2026-11-28 01:22:33+00:00"), "2026-11-28T01:22:33Z");
  EXPECT_EQ(NormalizeTimestamp("2026-11-28T01:22:33.9Z"), "2026-11-28T01:22:33.9Z");
}

TEST(SqlLiterals, DoublesRoundTripExactly) {
  std::string sql;
  AppendDouble(sql, 1.0 / 3.0);
  EXPECT_EQ(std::stod(sql), 1.0 / 3.0);
  sql.clear();
  AppendDouble(sql, 1e-5);
  EXPECT_EQ(sql, "1e-05");
}

TEST(ConnectionPool, AcquireFailsWithUnavailableWhenAllSessionsAreLeased) {
  int opened = 0;
  ConnectionPool pool(
      1,
      [&opened] {
        ++opened;
        return std::make_unique<soci::session>(soci::sqlite3, "db=:memory:");
      },
      [](soci::session&) { return true; });
  auto first = pool.Acquire(std::chrono::milliseconds(10));
  ASSERT_TRUE(first.ok());
  auto second = pool.Acquire(std::chrono::milliseconds(20));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  { auto gone = std::move(first).value(); }
  auto third = pool.Acquire(std::chrono::milliseconds(10));
  EXPECT_TRUE(third.ok());
  EXPECT_EQ(opened, 1) << "a healthy session is reused, not reopened";
}

TEST(ConnectionPool, ReopensASessionThatFailsItsHealthCheck) {
  int opened = 0;
  bool healthy = true;
  ConnectionPool pool(
      1,
      [&opened] {
        ++opened;
        return std::make_unique<soci::session>(soci::sqlite3, "db=:memory:");
      },
      [&healthy](soci::session&) { return healthy; });
  { auto lease = pool.Acquire(std::chrono::milliseconds(10)); }
  healthy = false;
  { auto lease = pool.Acquire(std::chrono::milliseconds(10)); }
  EXPECT_EQ(opened, 2);
}

int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);  // nothing listens there now
  return ntohs(addr.sin_port);
}

TEST(UnavailableDatabase, PostgresOnAClosedPortIsUnavailableNotAHang) {
  StoreOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  auto store =
      OpenStore("postgresql://u:p@127.0.0.1:" + std::to_string(ClosedPort()) + "/db", options);
  ASSERT_TRUE(store.ok()) << "opening is lazy: " << store.error().message;
  auto st = (*store)->Migrate();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable) << st.error().message;
  auto info = (*store)->Info();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, ErrorCode::kUnavailable) << info.error().message;
  auto connected = (*store)->Connect();
  ASSERT_FALSE(connected.ok());
  EXPECT_EQ(connected.error().code, ErrorCode::kUnavailable) << connected.error().message;
}

TEST(SqliteStore, InMemoryDatabaseWorksAcrossCalls) {
  auto store = OpenStore("sqlite::memory:");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());
  ASSERT_TRUE((*store)->LoadLocationsIfEmpty(SampleLocations(4)).ok());
  EXPECT_EQ((*store)->Info()->locations, 4);
}

TEST(SqliteStore, UnwritableFileIsUnavailable) {
  auto store = OpenStore("sqlite:///nonexistent-dir/for/sure/x.db");
  ASSERT_TRUE(store.ok());
  auto st = (*store)->Ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable) << st.error().message;
}

// SOCI does not export its backend classes' typeinfo (UBSan's vptr check); the cast is sound.
__attribute__((no_sanitize("vptr"))) int StatementsOf(soci::session& s) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
  int n = 0;
  for (auto* st = sqlite_api::sqlite3_next_stmt(backend->conn_, nullptr); st != nullptr;
       st = sqlite_api::sqlite3_next_stmt(backend->conn_, st)) {
    ++n;
  }
  return n;
}

std::filesystem::path FreshDir(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() /
                   (prefix + std::to_string(getpid()) + "-" +
                    std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  return dir;
}

// A session on `db` in WAL mode with checkpoints left to the caller, as the store opens them.
std::unique_ptr<soci::session> OpenWalSession(const std::string& db) {
  auto s = std::make_unique<soci::session>(soci::sqlite3, "db=\"" + db + "\"");
  Exec(*s, "PRAGMA busy_timeout = 10000");
  Exec(*s, "PRAGMA journal_mode = WAL");
  Exec(*s, "PRAGMA wal_autocheckpoint = 0");
  return s;
}

// kReuse on SQLite keeps one compiled statement per text and connection. Between runs it holds
// nothing: a run that stopped after the first of several rows must not leave its read snapshot
// behind (the connection would read stale rows and a checkpoint could not finish), and each run
// binds its own values.
TEST(SqliteQuery, AReusedStatementRebindsEachRunAndKeepsNoSnapshotBetweenRuns) {
  const auto dir = FreshDir("mlprod-reuse-");
  const std::string db = (dir / "r.db").string();
  auto open = [db] { return OpenWalSession(db); };
  auto reader = open(), writer = open();
  Exec(*writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  Exec(*writer, "INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  const std::string first = "SELECT v FROM t WHERE id >= :a ORDER BY id";
  for (long long a = 1; a <= 3; ++a) {
    for (int round = 0; round < 5; ++round) {
      std::string v;
      Query q(*reader, first, kReuse);
      q.Use(a).Into(v);
      ASSERT_TRUE(q.Run());  // one row read; the others are left unread
      EXPECT_EQ(v, std::string(1, static_cast<char>('a' + a - 1)));
    }
  }
  EXPECT_EQ(StatementsOf(*reader), 1) << "one compiled statement for 15 runs of one text";
  Exec(*writer, "UPDATE t SET v = 'z' WHERE id = 1");
  std::string now;
  Query(*reader, "SELECT v FROM t WHERE id = 1").Into(now).Run();
  EXPECT_EQ(now, "z") << "the reader still saw its old snapshot";
  EXPECT_EQ(CheckpointWal(*writer, "TRUNCATE").busy, 0) << "a reader held the log";
  ForgetPreparedStatements(*reader);  // as the pool does before it closes a session
  EXPECT_EQ(StatementsOf(*reader), 0);
  reader.reset();
  writer.reset();
  std::filesystem::remove_all(dir);
}

// The checkpointer's rounds, driven by hand (interval zero: no thread): a log over the threshold
// is checkpointed and restarted, so the next commit writes at the start of the -wal file again;
// a log under it is only checkpointed. Then the same with the background thread.
TEST(WalCheckpointer, RestartsTheLogOnceItPassesTheThreshold) {
  const auto dir = FreshDir("mlprod-wal-");
  const std::string db = (dir / "w.db").string();
  auto open = [db] { return OpenWalSession(db); };
  auto writer = open();
  Exec(*writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)");
  const std::string payload(3000, 'x');  // a page of its own per row
  auto insert = [&](int rows) {
    for (int i = 0; i < rows; ++i) {
      Query(*writer, "INSERT INTO t (payload) VALUES (:p)").Use(payload).Run();
    }
  };
  // Frames in the log now, as a PASSIVE checkpoint reports them (it copies, never restarts).
  auto log_frames = [&] { return CheckpointWal(*writer, "PASSIVE").log_pages; };
  Mutex writers;
  {
    WalCheckpointer manual(open, writers, {std::chrono::milliseconds(0), 100});
    insert(10);
    ASSERT_TRUE(manual.RunOnce());
    EXPECT_EQ(manual.restarts(), 0);  // 10 rows: under the threshold
    insert(200);
    ASSERT_GT(log_frames(), 100);
    ASSERT_TRUE(manual.RunOnce());
    EXPECT_EQ(manual.restarts(), 1);
    insert(1);
    EXPECT_LT(log_frames(), 10);  // the next commit started the log over
    EXPECT_EQ(manual.rounds(), 2);
  }
  {
    WalCheckpointer background(open, writers, {std::chrono::milliseconds(1), 100});
    while (background.rounds() < 3) std::this_thread::yield();
    EXPECT_FALSE(background.RunOnce());  // the thread owns the rounds
  }
  long long count = 0;
  Query(*writer, "SELECT COUNT(*) FROM t").Into(count).Run();
  EXPECT_EQ(count, 211);
  writer.reset();
  std::filesystem::remove_all(dir);
}

// Retention on SQLite: a new file is created with auto_vacuum INCREMENTAL, so the pages the
// deleted loops held go back to the file system and the file shrinks.
TEST(SqliteRetention, ANewFileGivesThePagesOfDeletedLoopsBack) {
  std::string skip;
  auto db = CreateSqliteDatabase(skip);
  auto opened = OpenStore(db->url());
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  ASSERT_TRUE(store.Migrate().ok());
  EXPECT_EQ(db->CountSql("PRAGMA auto_vacuum"), 2);  // INCREMENTAL
  ASSERT_TRUE(store.LoadLocationsIfEmpty(SampleLocations(20)).ok());
  std::vector<ScoredLocation> scores;
  for (int i = 1; i <= 20; ++i) scores.push_back({i, i / 20.0});
  for (int i = 0; i < 400; ++i) {
    const std::string task = "loop-" + std::to_string(i);
    auto uid = store.StartInference(SampleUser(task), task);
    ASSERT_TRUE(uid.ok());
    ASSERT_TRUE(store.SaveResults(task, *uid, "m1", scores).ok());
  }
  db->ExecSql("UPDATE inferences SET time_creation = '2020-01-01T00:00:00Z'");
  const long long pages_before = db->CountSql("PRAGMA page_count");

  RetentionOptions o;
  o.cutoff = "2021-01-01T00:00:00Z";
  o.pause = std::chrono::microseconds(0);
  RetentionCursor cursor;
  auto counts = store.DeleteExpiredHistory(o, cursor);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->inferences, 400);
  EXPECT_GT(counts->vacuumed_pages, 0);
  EXPECT_EQ(db->CountSql("PRAGMA freelist_count"), 0);
  EXPECT_LT(db->CountSql("PRAGMA page_count"), pages_before);
}

}  // namespace
}  // namespace mlprod::store::testing

namespace mlprod::store::testing {
namespace {

// A full disk (PRAGMA max_page_count reached): writes fail with kUnavailable and WriteHealth
// reports it, naming the kind but not the file, for the configured window; reads still work.
TEST(SqliteWriteHealth, AFullDiskMakesWritesUnhealthyForTheWindow) {
  const auto dir = FreshDir("mlprod-full-");
  const std::string url = "sqlite://" + (dir / "full.db").string();
  {
    auto plain = OpenStore(url);
    ASSERT_TRUE(plain.ok());
    ASSERT_TRUE((*plain)->Migrate().ok());
    ASSERT_TRUE((*plain)->LoadLocationsIfEmpty(SampleLocations(5)).ok());
  }
  StoreOptions options;
  options.sqlite_max_page_count = 1;  // raised to the file's current size: no page can be added
  options.write_failure_window = std::chrono::milliseconds(300);
  auto opened = OpenStore(url, options);
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  EXPECT_TRUE(store.WriteHealth().ok());
  Error failure;
  for (int i = 0; i < 5000; ++i) {
    auto uid = store.StartInference(SampleUser("u" + std::to_string(i)), "t" + std::to_string(i));
    if (!uid.ok()) {
      failure = uid.error();
      break;
    }
  }
  ASSERT_EQ(failure.code, ErrorCode::kUnavailable) << failure.message;
  EXPECT_NE(failure.message.find("full"), std::string::npos) << failure.message;
  Status health = store.WriteHealth();
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(health.error().message.find("disk full"), std::string::npos);
  EXPECT_EQ(health.error().message.find("full.db"), std::string::npos);
  EXPECT_TRUE(store.Ping().ok());
  EXPECT_TRUE(store.Info().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_TRUE(store.WriteHealth().ok());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Failures a later write may not meet (here a conflict) leave WriteHealth alone.
TEST(SqliteWriteHealth, AConstraintErrorIsNotAStorageFailure) {
  auto opened = OpenStore("sqlite::memory:");
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  ASSERT_TRUE(store.Migrate().ok());
  ASSERT_TRUE(store.LoadLocationsIfEmpty(SampleLocations(3)).ok());
  ASSERT_TRUE(store.StartInference(SampleUser("a"), "taken").ok());
  PastLoop loop;
  loop.user = SampleUser("b");
  loop.task_id = "taken";
  loop.time = "2026-01-01T00:00:00Z";
  loop.model_id = "m1";
  loop.shown = {{1, 0.5}};
  const PastLoop loops[] = {loop};
  Status st = store.AppendHistory(loops);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict) << st.error().message;
  EXPECT_TRUE(store.WriteHealth().ok());
}

}  // namespace
}  // namespace mlprod::store::testing
