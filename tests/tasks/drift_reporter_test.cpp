// Drift reports: what a process's monitor shows becomes one store row per process, the input
// of the retraining trigger's drift check.
#include "tasks/drift_reporter.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "tasks/inference_task.h"
#include "tasks/task_fixture.h"

namespace mlprod::tasks {
namespace {

TEST(MakeDriftReport, TakesTheLargestFeaturePsiAndZeroBeforePsiIsComputed) {
  drift::DriftSnapshot s;
  s.window_requests = 40;
  s.model_id = "m1";
  store::DriftReport early = MakeDriftReport(s, "w1", 500, 1234);
  EXPECT_EQ(early.max_psi, 0);
  EXPECT_EQ(early.source, "w1");
  EXPECT_EQ(early.model_id, "m1");
  EXPECT_EQ(early.window_requests, 40);
  EXPECT_EQ(early.window_size, 500);
  EXPECT_EQ(early.updated_at_ms, 1234);
  s.features.emplace();
  (*s.features)[3].psi = 0.27;
  (*s.features)[7].psi = 0.05;
  EXPECT_DOUBLE_EQ(MakeDriftReport(s, "w1", 500, 1234).max_psi, 0.27);
}

class DriftReporterTest : public TaskFixture {};

TEST_F(DriftReporterTest, PublishesTheMonitorsWindowOnceItHasRequests) {
  RegisterBaseline(false);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  prometheus::Registry registry;
  drift::DriftMonitor monitor(registry, {.window = 10, .min_requests = 5, .publish_interval = {}});
  DriftReporter reporter(*store_, monitor, "worker 1@test", 10);
  ASSERT_TRUE(reporter.ReportOnce().ok());
  auto none = store_->ListDriftReports(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());  // an empty window says nothing

  InferenceTask task(*store_, pool, &monitor);
  for (int i = 0; i < 12; ++i) {
    const std::string task_id = NewUuid();
    auto user_id =
        store_->StartInference(dataset_.users[static_cast<std::size_t>(i)].user, task_id);
    ASSERT_TRUE(user_id.ok());
    queue::TaskMessage message;
    message.id = task_id;
    message.args = nlohmann::json::array({*user_id});
    ASSERT_TRUE(task.Run(message).ok());
  }
  ASSERT_TRUE(reporter.ReportOnce().ok());
  auto reports = store_->ListDriftReports(0);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 1u);
  const store::DriftReport& r = (*reports)[0];
  EXPECT_EQ(r.source, "worker 1@test");
  EXPECT_EQ(r.model_id, "baseline");
  EXPECT_EQ(r.window_requests, 10);
  EXPECT_EQ(r.window_size, 10);
  const drift::DriftSnapshot s = monitor.Snapshot();
  ASSERT_TRUE(s.features.has_value());
  double max_psi = 0;
  for (const auto& f : *s.features) max_psi = std::max(max_psi, f.psi);
  EXPECT_GT(max_psi, 0);
  EXPECT_DOUBLE_EQ(r.max_psi, max_psi);
}

}  // namespace
}  // namespace mlprod::tasks
