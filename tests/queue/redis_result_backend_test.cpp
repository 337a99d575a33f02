// Against a real Redis (label `infra`): MLPROD_TEST_REDIS_URL, e.g. from scripts/services.sh.
#include "queue/redis/redis_result_backend.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>

#include "common/uuid.h"
#include "queue/celery_result.h"
#include "queue/redis/redis_connection.h"
#include "queue/vectors.h"

namespace mlprod::queue {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RedisResultBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("MLPROD_TEST_REDIS_URL");
    if (url == nullptr || *url == '\0') GTEST_SKIP() << "MLPROD_TEST_REDIS_URL is not set";
    url_ = url;
    backend_ = Make();
    auto ep = ParseRedisUrl(url_);
    ASSERT_TRUE(ep.ok());
    auto conn = RedisConnection::Connect(*ep, milliseconds(2000));
    ASSERT_TRUE(conn.ok()) << conn.error().message;
    raw_ = std::move(*conn);
  }
  std::unique_ptr<RedisResultBackend> Make() {
    auto b = RedisResultBackend::Create({.url = url_});
    EXPECT_TRUE(b.ok());
    return b.ok() ? std::move(*b) : nullptr;
  }
  static TaskResult Res(std::string id, TaskState state, nlohmann::json value = nullptr) {
    TaskResult r;
    r.task_id = std::move(id);
    r.state = state;
    r.result = std::move(value);
    r.date_done = "2026-11-28T01:22:38.816941";
    return r;
  }

  std::string url_;
  std::unique_ptr<RedisResultBackend> backend_;
  std::unique_ptr<RedisConnection> raw_;
};

TEST_F(RedisResultBackendTest, StoresCeleryValueWithExpiry) {
  const std::string id = NewUuid();
  ASSERT_TRUE(backend_->Store(Res(id, TaskState::kSuccess, {{"n", 1}})).ok());
  auto value = raw_->Command({"GET", "celery-task-meta-" + id});
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(nlohmann::json::parse(value->str),
            EncodeTaskResult(Res(id, TaskState::kSuccess, {{"n", 1}})));
  auto ttl = raw_->Command({"TTL", "celery-task-meta-" + id});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 3500);
  EXPECT_LE(ttl->integer, 3600);
}

TEST_F(RedisResultBackendTest, ReadsResultWrittenByCelery) {
  const auto v = testing::LoadVector("result-failure.json");
  ASSERT_TRUE(raw_->Command({"SETEX", v["key"], "60", v["value"].dump()}).ok());
  auto r = backend_->Get(v["value"]["task_id"]);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, TaskState::kFailure);
  EXPECT_EQ(r->result["exc_type"], "AttributeError");
}

TEST_F(RedisResultBackendTest, UnknownIdReadsPending) {
  auto r = backend_->Get(NewUuid());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, TaskState::kPending);
}

TEST_F(RedisResultBackendTest, WatchWakesWhenAnotherClientStores) {
  const std::string id = NewUuid();
  std::promise<TaskResult> got;
  auto handle = backend_->Watch(id, [&](const TaskResult& r) { got.set_value(r); });
  auto other = Make();
  ASSERT_TRUE(other->Store(Res(id, TaskState::kStarted)).ok());
  ASSERT_TRUE(other->Store(Res(id, TaskState::kSuccess, 7)).ok());
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(seconds(30)), std::future_status::ready);
  const TaskResult r = future.get();
  EXPECT_EQ(r.state, TaskState::kSuccess);
  EXPECT_EQ(r.result, 7);
}

TEST_F(RedisResultBackendTest, WatchFiresAtOnceWhenAlreadyReady) {
  const std::string id = NewUuid();
  ASSERT_TRUE(backend_->Store(Res(id, TaskState::kRevoked)).ok());
  int calls = 0;
  auto handle = backend_->Watch(id, [&](const TaskResult&) { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST_F(RedisResultBackendTest, UnreachableRedisIsUnavailable) {
  auto b =
      RedisResultBackend::Create({.url = "redis://127.0.0.1:1/0", .timeout = milliseconds(500)});
  ASSERT_TRUE(b.ok());
  auto st = (*b)->Ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE((*b)->Store(Res("x", TaskState::kSuccess)).ok());
}

TEST_F(RedisResultBackendTest, AHostNameIsResolvedOnceAndEveryConnectionWorks) {
  auto ep = ParseRedisUrl(url_);
  ASSERT_TRUE(ep.ok());
  if (ep->host != "127.0.0.1") GTEST_SKIP() << "the test server is not on 127.0.0.1";
  const std::string by_name =
      "redis://localhost:" + std::to_string(ep->port) + "/" + std::to_string(ep->db);
  auto b = RedisResultBackend::Create({.url = by_name});
  ASSERT_TRUE(b.ok());
  // More callers at once than idle connections: new connections dial the remembered address.
  std::vector<std::future<bool>> calls;
  for (int i = 0; i < 16; ++i) {
    calls.push_back(std::async(std::launch::async, [&b, i] {
      const std::string id = NewUuid();
      return (*b)->Store(Res(id, TaskState::kSuccess, {{"i", i}})).ok() && (*b)->Get(id).ok() &&
             (*b)->Ping().ok();
    }));
  }
  for (auto& c : calls) EXPECT_TRUE(c.get());
}

TEST_F(RedisResultBackendTest, AnUnresolvableHostIsUnavailableAndNamed) {
  auto b = RedisResultBackend::Create({.url = "redis://no-such-host.invalid:6379/0"});
  ASSERT_TRUE(b.ok());
  auto st = (*b)->Ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(st.error().message.find("no-such-host.invalid"), std::string::npos)
      << st.error().message;
}

TEST_F(RedisResultBackendTest, AclUserInTheUrlAuthenticatesAsThatUser) {
  if (url_.find('@') != std::string::npos) GTEST_SKIP() << "the test server URL has user info";
  const std::string user = "mlprod-test-" + NewUuid().substr(0, 8);
  ASSERT_TRUE(raw_->Command({"ACL", "SETUSER", user, "on", ">pw@1", "~*", "&*", "+@all"}).ok());
  const std::string with_user = "redis://" + user + ":pw%401@" + url_.substr(8);
  auto ep = ParseRedisUrl(with_user);
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  auto conn = RedisConnection::Connect(*ep, milliseconds(2000));
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto who = (*conn)->Command({"ACL", "WHOAMI"});
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->str, user);

  auto wrong = ParseRedisUrl("redis://" + user + ":nope@" + url_.substr(8));
  ASSERT_TRUE(wrong.ok());
  auto refused = RedisConnection::Connect(*wrong, milliseconds(2000));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(raw_->Command({"ACL", "DELUSER", user}).ok());
}

}  // namespace
}  // namespace mlprod::queue
