// The worker between real Celery 5.2 clients, RabbitMQ and Redis (label `infra`): a task sent by
// Celery runs in our worker and Celery reads its result; an unknown task is dropped; more
// far-future eta tasks than the prefetch window do not stop the queue.
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/uuid.h"
#include "queue/amqp/amqp_broker.h"
#include "queue/celery_python.h"
#include "queue/redis/redis_result_backend.h"
#include "worker/worker.h"

namespace mlprod::worker {
namespace {

using nlohmann::json;
using queue::testing::RunPython;

TEST(WorkerWithCelery, RunsTaskSentByCeleryAndCeleryReadsResult) {
  const char* amqp = std::getenv("MLPROD_TEST_AMQP_URL");
  const char* redis = std::getenv("MLPROD_TEST_REDIS_URL");
  if (!amqp || !*amqp || !redis || !*redis) GTEST_SKIP() << "test servers are not configured";
  if (!queue::testing::HaveCelery()) GTEST_SKIP() << "python3-celery is not installed";
  const std::string queue_name = "mlprod-worker-" + NewUuid();
  auto broker = queue::AmqpBroker::Create({.url = amqp, .queue = queue_name});
  auto backend = queue::RedisResultBackend::Create({.url = redis});
  ASSERT_TRUE(broker.ok() && backend.ok());
  ASSERT_TRUE((*broker)->Ping().ok());

  TaskRegistry registry;
  registry.Register(std::string(queue::kInferenceTask), [](const queue::TaskMessage& m) {
    return Result<json>(json{{"user_id", m.args.at(0)}, {"scored", 20}});
  });
  WorkerOptions options;
  options.threads = 2;
  Worker worker(**broker, **backend, registry, options);
  worker.Start();

  auto out = RunPython(queue_name,
                       "app.send_task('no.such.task', queue=queue)\n"
                       "r = app.send_task('worker.tasks.inference.inference', args=[7],"
                       " queue=queue)\n"
                       "print(json.dumps({'result': r.get(timeout=30), 'state': r.state}))\n"
                       "app.connection().default_channel.queue_delete(queue)\n");
  worker.Stop();
  ASSERT_TRUE(out.has_value());
  const json got = json::parse(*out);
  EXPECT_EQ(got["state"], "SUCCESS");
  EXPECT_EQ(got["result"], (json{{"user_id", 7}, {"scored", 20}}));
  EXPECT_EQ(worker.Stats().succeeded, 1);
  EXPECT_EQ(worker.Stats().rejected, 1);
}

TEST(WorkerWithCelery, EtaTasksBeyondThePrefetchDoNotStopTheQueue) {
  const char* amqp = std::getenv("MLPROD_TEST_AMQP_URL");
  const char* redis = std::getenv("MLPROD_TEST_REDIS_URL");
  if (!amqp || !*amqp || !redis || !*redis) GTEST_SKIP() << "test servers are not configured";
  if (!queue::testing::HaveCelery()) GTEST_SKIP() << "python3-celery is not installed";
  const std::string queue_name = "mlprod-worker-eta-" + NewUuid();
  auto broker = queue::AmqpBroker::Create({.url = amqp, .queue = queue_name, .prefetch = 8});
  auto backend = queue::RedisResultBackend::Create({.url = redis});
  ASSERT_TRUE(broker.ok() && backend.ok());
  ASSERT_TRUE((*broker)->Ping().ok());

  TaskRegistry registry;
  registry.Register(std::string(queue::kInferenceTask), [](const queue::TaskMessage& m) {
    return Result<json>(json{{"user_id", m.args.at(0)}});
  });
  WorkerOptions options;
  options.threads = 2;
  Worker worker(**broker, **backend, registry, options);
  worker.Start();
  // 20 tasks due in an hour (more than the window of 8), then one due now.
  auto out = RunPython(queue_name,
                       "for i in range(20):\n"
                       "    app.send_task('mlprod.worker.tasks.inference.inference', args=[i],"
                       " queue=queue, countdown=3600)\n"
                       "r = app.send_task('mlprod.worker.tasks.inference.inference', args=[99],"
                       " queue=queue)\n"
                       "print(json.dumps({'result': r.get(timeout=20), 'state': r.state}))\n");
  ASSERT_TRUE(out.has_value());
  const json got = json::parse(*out);
  EXPECT_EQ(got["state"], "SUCCESS");
  EXPECT_EQ(got["result"], (json{{"user_id", 99}}));
  EXPECT_EQ(worker.Stats().delayed, 20);
  worker.Stop();
  (*broker)->Close();
  // Stopping hands the held eta tasks back: all 20 wait in the queue again.
  auto left = RunPython(queue_name,
                        "import time\n"
                        "ch = app.connection().default_channel\n"
                        "for _ in range(50):\n"
                        "    n = ch.queue_declare(queue, passive=True).message_count\n"
                        "    if n == 20: break\n"
                        "    time.sleep(0.1)\n"
                        "print(n)\n"
                        "ch.queue_delete(queue)\n");
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(std::stoi(*left), 20);
}

}  // namespace
}  // namespace mlprod::worker
