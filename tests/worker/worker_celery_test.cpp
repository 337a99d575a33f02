// The worker between real Celery 5.2 clients, RabbitMQ and Redis (label `infra`): a task sent by
// Celery runs in our worker and Celery reads its result; an unknown task is dropped.
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

}  // namespace
}  // namespace mlprod::worker
