#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include <unistd.h>

#include <thread>

#include "common/log.h"
#include "metrics/api_metrics.h"
#include "metrics/exposition.h"
#include "metrics/process_metrics.h"
#include "metrics/worker_metrics.h"

namespace mlprod::metrics {
namespace {

double CounterValue(const prometheus::Registry& registry, const std::string& family,
                    const std::map<std::string, std::string>& labels) {
  for (const auto& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got == labels) {
        return f.type == prometheus::MetricType::Histogram
                   ? static_cast<double>(m.histogram.sample_count)
                   : m.counter.value;
      }
    }
  }
  return -1;
}

TEST(ApiMetrics, RecordsRequestsPerRouteMethodAndStatus) {
  prometheus::Registry registry;
  ApiMetrics metrics(registry, "api");
  metrics.RecordRequest(3, "/inference/status/{task_id}", "GET", 200, 0.001);
  metrics.RecordRequest(3, "/inference/status/{task_id}", "GET", 200, 0.002);
  metrics.RecordRequest(3, "/inference/status/{task_id}", "GET", 404, 0.001);
  metrics.RecordRequest(4, "/inference/start", "POST", 200, 0.01);
  const std::map<std::string, std::string> ok = {{"method", "GET"},
                                                 {"path", "/inference/status/{task_id}"},
                                                 {"status_code", "200"},
                                                 {"app_name", "api"}};
  EXPECT_EQ(CounterValue(registry, "api_request_total", ok), 2);
  EXPECT_EQ(CounterValue(registry, "api_processing_time", ok), 2);
  auto not_found = ok;
  not_found["status_code"] = "404";
  EXPECT_EQ(CounterValue(registry, "api_request_total", not_found), 1);
  EXPECT_EQ(CounterValue(registry, "api_request_total",
                         {{"method", "POST"},
                          {"path", "/inference/start"},
                          {"status_code", "200"},
                          {"app_name", "api"}}),
            1);
}

TEST(ApiMetrics, ConcurrentRecordingLosesNoCount) {
  prometheus::Registry registry;
  ApiMetrics metrics(registry, "api");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 5000; ++i) {
        metrics.RecordRequest(static_cast<std::uint32_t>(i % 7), "/r" + std::to_string(i % 7),
                              t % 2 ? "GET" : "PUT", 200 + (i % 3), 0.0001);
      }
    });
  }
  for (auto& th : threads) th.join();
  double total = 0;
  for (const auto& f : registry.Collect()) {
    if (f.name != "api_request_total") continue;
    EXPECT_EQ(f.metric.size(), 7u * 3u * 2u);
    for (const auto& m : f.metric) total += m.counter.value;
  }
  EXPECT_EQ(total, 4 * 5000);
}

TEST(ApiMetrics, ExceptionsAndActiveInferencesAreCounted) {
  prometheus::Registry registry;
  ApiMetrics metrics(registry, "api");
  metrics.RecordException("unavailable", "POST", "/inference/start");
  metrics.active_inferences().Increment();
  EXPECT_EQ(CounterValue(registry, "api_exception_total",
                         {{"exception", "unavailable"},
                          {"method", "POST"},
                          {"path", "/inference/start"},
                          {"app_name", "api"}}),
            1);
  EXPECT_EQ(metrics.active_inferences().Value(), 1);
}

TEST(ApiMetrics, FeedbackCountsPicksAsGoodAndNoPickAsBad) {
  prometheus::Registry registry;
  ApiMetrics metrics(registry, "api");
  metrics.RecordFeedback(true);
  metrics.RecordFeedback(true);
  metrics.RecordFeedback(false);
  EXPECT_EQ(CounterValue(registry, "api_inference_feedback_total",
                         {{"outcome", "good"}, {"app_name", "api"}}),
            2);
  EXPECT_EQ(CounterValue(registry, "api_inference_feedback_total",
                         {{"outcome", "bad"}, {"app_name", "api"}}),
            1);
}

double GaugeValue(const prometheus::Registry& registry, const std::string& family) {
  for (const auto& f : registry.Collect()) {
    if (f.name == family && !f.metric.empty()) return f.metric[0].gauge.value;
  }
  return -1;
}

TEST(ApiMetrics, RetrainTriggersAreCountedPerTriggerFromZero) {
  prometheus::Registry registry;
  ApiMetrics metrics(registry, "api");
  const auto value = [&](const std::string& trigger) {
    return CounterValue(registry, "api_retrain_triggers_total",
                        {{"trigger", trigger}, {"app_name", "api"}});
  };
  EXPECT_EQ(value("schedule"), 0);
  metrics.RecordRetrainTrigger("labels");
  metrics.RecordRetrainTrigger("labels");
  metrics.RecordRetrainTrigger("drift");
  metrics.RecordRetrainTrigger("bogus");
  EXPECT_EQ(value("labels"), 2);
  EXPECT_EQ(value("drift"), 1);
  EXPECT_EQ(value("schedule"), 0);
  EXPECT_EQ(value("bogus"), -1);
}

TEST(WorkerMetrics, CountsFinishedTasksByNameAndState) {
  prometheus::Registry registry;
  WorkerMetrics metrics(registry);
  metrics.TaskStarted();
  EXPECT_EQ(GaugeValue(registry, "worker_tasks_in_flight"), 1);
  metrics.TaskEnded();
  metrics.TaskFinished("mlprod.worker.tasks.inference.inference", "SUCCESS", 0.002, 0.001);
  metrics.TaskFinished("mlprod.worker.tasks.inference.inference", "SUCCESS", 0.003, std::nullopt);
  metrics.TaskFinished("mlprod.worker.tasks.inference.inference", "FAILURE", 0.001, 0.001);
  EXPECT_EQ(GaugeValue(registry, "worker_tasks_in_flight"), 0);
  EXPECT_EQ(
      CounterValue(registry, "worker_tasks_total",
                   {{"task", "mlprod.worker.tasks.inference.inference"}, {"state", "SUCCESS"}}),
      2);
  EXPECT_EQ(CounterValue(registry, "worker_task_duration_seconds",
                         {{"task", "mlprod.worker.tasks.inference.inference"}}),
            3);
  EXPECT_EQ(CounterValue(registry, "worker_task_queue_wait_seconds",
                         {{"task", "mlprod.worker.tasks.inference.inference"}}),
            2);
}

TEST(WorkerMetrics, BrokerStateFollowsTheReconnectCountAndNeverGoesBack) {
  prometheus::Registry registry;
  WorkerMetrics metrics(registry);
  metrics.SetBrokerState(2, 5);
  EXPECT_EQ(CounterValue(registry, "worker_broker_reconnects_total", {}), 2);
  EXPECT_EQ(GaugeValue(registry, "worker_tasks_prefetched"), 5);
  metrics.SetBrokerState(1, -3);  // a counter never decreases; a gauge never goes negative
  EXPECT_EQ(CounterValue(registry, "worker_broker_reconnects_total", {}), 2);
  EXPECT_EQ(GaugeValue(registry, "worker_tasks_prefetched"), 0);
  metrics.SetBrokerState(3, 1);
  EXPECT_EQ(CounterValue(registry, "worker_broker_reconnects_total", {}), 3);
}

TEST(ApiMetrics, BucketsAreIncreasing) {
  const auto b = ApiLatencyBuckets();
  ASSERT_GE(b.size(), 8u);
  for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
}

TEST(Exposition, RendersEveryFamilyOfTheSharedRegistryPlusProcessMetrics) {
  auto registry = std::make_shared<prometheus::Registry>();
  ApiMetrics metrics(*registry, "api");
  metrics.RecordRequest(0, "/", "GET", 200, 0.0001);
  prometheus::BuildCounter()
      .Name("worker_tasks_total")
      .Help("t")
      .Register(*registry)
      .Add({})
      .Increment(3);
  const std::string text = Exposition(registry).Render();
  EXPECT_NE(text.find("# TYPE api_request_total counter"), std::string::npos);
  EXPECT_NE(text.find("worker_tasks_total 3"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
  EXPECT_EQ(Exposition(registry, false).Render().find("process_"), std::string::npos);
}

TEST(Exposition, CountsIgnoredErrorsBySite) {
  auto registry = std::make_shared<prometheus::Registry>();
  const std::string site = "test: ignored " + std::to_string(::getpid());
  IgnoreError(site, OkStatus());  // not an error: not counted
  EXPECT_EQ(Exposition(registry).Render().find(site), std::string::npos);
  for (int i = 0; i < 3; ++i) IgnoreError(site, MakeError(ErrorCode::kUnavailable, "gone"));
  const std::string text = Exposition(registry, false).Render();
  EXPECT_NE(text.find("# TYPE mlprod_ignored_errors_total counter"), std::string::npos);
  EXPECT_NE(text.find("mlprod_ignored_errors_total{site=\"" + site + "\"} 3"), std::string::npos)
      << text;
}

TEST(ProcessMetrics, ReadsPlausibleValuesFromProc) {
  std::map<std::string, double> values;
  for (const auto& f : ProcessMetrics().Collect()) {
    ASSERT_EQ(f.metric.size(), 1u);
    values[f.name] = f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value
                                                               : f.metric[0].gauge.value;
  }
  EXPECT_GT(values["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GT(values["process_virtual_memory_bytes"], values["process_resident_memory_bytes"]);
  EXPECT_GE(values["process_open_fds"], 3);                // stdin, stdout, stderr at least
  EXPECT_GT(values["process_start_time_seconds"], 1.6e9);  // after 2020
  EXPECT_GE(values["process_threads"], 1);
  EXPECT_GE(values["process_cpu_seconds_total"], 0);
}

}  // namespace
}  // namespace mlprod::metrics
