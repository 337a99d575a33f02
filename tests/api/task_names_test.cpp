// The API publishes its inference and training tasks under the names ApiConfig::task_names
// (--task-names) gives, so a fleet of reference workers of the 2022 layout can consume them.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "api_test_env.h"
#include "queue/task_names.h"

namespace mlprod::api::testing {
namespace {

using boost::beast::http::verb;

// The message the API published last; its name and id, acked.
std::pair<std::string, std::string> TakeMessage(queue::InprocBroker& broker) {
  auto delivery = broker.Next(std::chrono::seconds(5));
  EXPECT_TRUE(delivery.ok() && *delivery);
  if (!delivery.ok() || !*delivery) return {};
  auto out = std::pair{(*delivery)->message().task, (*delivery)->message().id};
  EXPECT_TRUE((*delivery)->Ack().ok());
  return out;
}

TEST_F(ApiServerTest, PublishesBothTasksUnderTheMlprodNamesByDefault) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(TakeMessage(*broker_), std::pair(std::string("mlprod.worker.tasks.inference.inference"),
                                             started.json()["task_id"].get<std::string>()));
  const Reply training = client_->Call(verb::post, "/train/start");
  ASSERT_EQ(training.status, 200) << training.body;
  EXPECT_EQ(TakeMessage(*broker_), std::pair(std::string("mlprod.worker.tasks.train.training"),
                                             training.json()["task_id"].get<std::string>()));
}

TEST_F(ApiServerTest, PublishesBothTasksUnderTheReference2022Names) {
  ApiConfig config = DefaultConfig();
  auto names = queue::ParseTaskNames("reference-2022");
  ASSERT_TRUE(names.ok());
  config.task_names = *names;
  StartServer(config);
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  ASSERT_EQ(started.status, 200) << started.body;
  const auto task_id = started.json()["task_id"].get<std::string>();
  EXPECT_EQ(TakeMessage(*broker_),
            std::pair(std::string("worker.tasks.inference.inference"), task_id));
  const Reply training = client_->Call(verb::post, "/train/start");
  ASSERT_EQ(training.status, 200) << training.body;
  EXPECT_EQ(TakeMessage(*broker_), std::pair(std::string("worker.tasks.train.training"),
                                             training.json()["task_id"].get<std::string>()));
  // Nothing else about the task changes: its status still reads the backend and the store.
  EXPECT_EQ(client_->Get("/inference/status/" + task_id).json()["status"], "PENDING");
}

}  // namespace
}  // namespace mlprod::api::testing
