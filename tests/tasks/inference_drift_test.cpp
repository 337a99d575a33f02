// The inference task feeds the drift monitor: every scored request once, compared with the
// primary model (largest traffic share) even when a canary scored it; retrained models carry
// the input profile drift compares with.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "drift/drift_monitor.h"
#include "tasks/inference_task.h"
#include "tasks/task_fixture.h"

namespace mlprod::tasks {
namespace {

class InferenceDriftTest : public TaskFixture {};

TEST_F(InferenceDriftTest, FeedsEveryScoredUserWithThePrimaryModel) {
  RegisterBaseline(false);
  RegisterSecondModel("canary", "promoted", 0.4);

  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  prometheus::Registry registry;
  drift::DriftMonitor monitor(registry, {.window = 50, .min_requests = 5, .publish_interval = {}});
  InferenceTask task(*store_, pool, &monitor);
  int canary_runs = 0;
  for (int i = 0; i < 20; ++i) {
    const User& user = dataset_.users[static_cast<std::size_t>(i)].user;
    const std::string task_id = NewUuid();
    auto user_id = store_->StartInference(user, task_id);
    ASSERT_TRUE(user_id.ok());
    queue::TaskMessage message;
    message.id = task_id;
    message.args = nlohmann::json::array({*user_id});
    auto out = task.Run(message);
    ASSERT_TRUE(out.ok()) << out.error().message;
    canary_runs += (*out)["model_id"] == "canary";
  }
  EXPECT_GT(canary_runs, 0);  // 20 draws at 40 %: P(none) ≈ 4e-5
  const drift::DriftSnapshot s = monitor.Snapshot();
  EXPECT_EQ(s.window_requests, 20u);
  EXPECT_EQ(s.model_id, "baseline");
  ASSERT_TRUE(s.features.has_value());  // the baseline was trained with an input profile
  ASSERT_TRUE(s.input_means.has_value());
  double budget_sum = 0;
  for (int i = 0; i < 20; ++i)
    budget_sum += dataset_.users[static_cast<std::size_t>(i)].user.budget;
  EXPECT_NEAR((*s.input_means)[2], budget_sum / 20, 1e-6);
}

TEST_F(InferenceDriftTest, WithoutAMonitorNothingIsObserved) {
  RegisterBaseline(false);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  InferenceTask task(*store_, pool);  // nullptr monitor: must simply work
  const std::string task_id = NewUuid();
  auto user_id = store_->StartInference(dataset_.users[0].user, task_id);
  ASSERT_TRUE(user_id.ok());
  queue::TaskMessage message;
  message.id = task_id;
  message.args = nlohmann::json::array({*user_id});
  EXPECT_TRUE(task.Run(message).ok());
}

}  // namespace
}  // namespace mlprod::tasks
