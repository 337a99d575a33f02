// Interoperability with real Celery 5.2 (python3-celery) through real RabbitMQ and Redis (label
// `infra`): Celery's messages decode in us, ours decode in Celery, our results read in Celery.
// Skips without MLPROD_TEST_AMQP_URL / MLPROD_TEST_REDIS_URL or without python3-celery.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/uuid.h"
#include "queue/amqp/amqp_broker.h"
#include "queue/celery_python.h"
#include "queue/celery_result.h"
#include "queue/redis/redis_result_backend.h"

namespace mlprod::queue {
namespace {

using nlohmann::json;

using testing::RunPython;

class CeleryInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* amqp = std::getenv("MLPROD_TEST_AMQP_URL");
    const char* redis = std::getenv("MLPROD_TEST_REDIS_URL");
    if (!amqp || !*amqp || !redis || !*redis) GTEST_SKIP() << "test servers are not configured";
    if (!testing::HaveCelery()) {
      GTEST_SKIP() << "python3-celery is not installed";
    }
    queue_ = "mlprod-interop-" + NewUuid();
    auto b = AmqpBroker::Create({.url = amqp, .queue = queue_});
    ASSERT_TRUE(b.ok());
    broker_ = std::move(*b);
    auto r = RedisResultBackend::Create({.url = redis});
    ASSERT_TRUE(r.ok());
    backend_ = std::move(*r);
  }
  void TearDown() override {
    if (broker_) RunPython(queue_, "app.connection().default_channel.queue_delete(queue)\n");
  }

  std::string queue_;
  std::unique_ptr<AmqpBroker> broker_;
  std::unique_ptr<RedisResultBackend> backend_;
};

TEST_F(CeleryInteropTest, DecodesTaskSentByCelery) {
  ASSERT_TRUE(broker_->Ping().ok());  // declares the queue durable, as Celery expects
  auto out = RunPython(queue_,
                       "r = app.send_task('mlprod.worker.tasks.inference.inference', args=[42],"
                       " queue=queue, countdown=5, expires=600, time_limit=300,"
                       " soft_time_limit=240)\nprint(r.id)\n");
  ASSERT_TRUE(out.has_value());
  const std::string id = out->substr(0, out->find('\n'));
  auto d = broker_->Next(std::chrono::milliseconds(10'000));
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_NE(*d, nullptr);
  const TaskMessage& m = (*d)->message();
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.task, kInferenceTask);
  EXPECT_EQ(m.args, json::array({42}));
  EXPECT_EQ(m.time_limit_hard, 300);
  EXPECT_EQ(m.time_limit_soft, 240);
  EXPECT_TRUE(m.eta.has_value());
  EXPECT_TRUE(m.expires.has_value());
  EXPECT_TRUE((*d)->Ack().ok());
}

TEST_F(CeleryInteropTest, CeleryDecodesTaskWePublish) {
  TaskMessage m;
  m.id = NewUuid();
  m.task = std::string(kTrainingTask);
  m.time_limit_hard = 300;
  ASSERT_TRUE(broker_->Publish(m).ok());
  auto out = RunPython(queue_,
                       "msg = app.connection().default_channel.basic_get(queue, no_ack=True)\n"
                       "h = msg.headers\n"
                       "assert msg.properties['content_type'] == 'application/json'\n"
                       "args, kwargs, embed = json.loads(msg.body)\n"
                       "print(json.dumps({'task': h['task'], 'id': h['id'], 'timelimit': "
                       "list(h['timelimit']), 'args': list(args), 'kwargs': kwargs, 'embed': "
                       "embed, 'correlation_id': msg.properties['correlation_id'], "
                       "'delivery_mode': msg.properties['delivery_mode']}))\n");
  ASSERT_TRUE(out.has_value());
  const json got = json::parse(*out);
  EXPECT_EQ(got["task"], kTrainingTask);
  EXPECT_EQ(got["id"], m.id);
  EXPECT_EQ(got["correlation_id"], m.id);
  EXPECT_EQ(got["timelimit"], json::parse("[300, null]"));
  EXPECT_EQ(got["args"], json::array());
  EXPECT_EQ(got["kwargs"], json::object());
  EXPECT_EQ(got["embed"]["chord"], nullptr);
  EXPECT_EQ(got["delivery_mode"], 2);
}

TEST_F(CeleryInteropTest, CeleryReadsResultsWeStore) {
  TaskResult ok;
  ok.task_id = NewUuid();
  ok.state = TaskState::kSuccess;
  ok.result = {{"scored", 20}};
  ok.date_done = "2026-11-28T01:22:38.816941";
  ASSERT_TRUE(backend_->Store(ok).ok());
  TaskResult failed;
  failed.task_id = NewUuid();
  failed.state = TaskState::kFailure;
  failed.result = FailureResult("LookupError", "user 42 does not exist");
  ASSERT_TRUE(backend_->Store(failed).ok());
  auto out =
      RunPython(queue_, "ok = app.AsyncResult('" + ok.task_id + "')\n" + "bad = app.AsyncResult('" +
                            failed.task_id + "')\n" +
                            "print(json.dumps({'ok_state': ok.state, 'ok': ok.get(timeout=10), "
                            "'bad_state': bad.state, 'bad_type': type(bad.result).__name__, "
                            "'bad_msg': str(bad.result)}))\n");
  ASSERT_TRUE(out.has_value());
  const json got = json::parse(*out);
  EXPECT_EQ(got["ok_state"], "SUCCESS");
  EXPECT_EQ(got["ok"], ok.result);
  EXPECT_EQ(got["bad_state"], "FAILURE");
  EXPECT_EQ(got["bad_type"], "LookupError");
  EXPECT_EQ(got["bad_msg"], "user 42 does not exist");
}

}  // namespace
}  // namespace mlprod::queue
