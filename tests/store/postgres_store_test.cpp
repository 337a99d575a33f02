// The Store contract on a real PostgreSQL (MLPROD_TEST_DATABASE_URL, a throwaway database per
// test; skipped when unset), plus reconnection after the server drops our sessions.
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "common/uuid.h"
#include "store/db_url.h"
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

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresOnly,
                         ::testing::Values(BackendParam{"postgres", CreatePostgresDatabase}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace mlprod::store::testing
