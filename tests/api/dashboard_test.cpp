// The /dashboard history: what it derives from the process's own Prometheus families (rates,
// latency percentiles, live accuracy, drift), the ring's bounds, the JSON columns, the sampler
// thread; and the routes on the in-process server.
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "api/dashboard_history.h"
#include "api_test_env.h"
#include "metrics/api_metrics.h"

namespace mlprod::api::dashboard {
namespace {

class DashboardHistory : public ::testing::Test {
 protected:
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
};

// Registers the API families by the production code, so the names cannot drift apart.
class DashboardApiSeries : public DashboardHistory {
 protected:
  metrics::ApiMetrics metrics_{*registry_, "api"};
  History history_{registry_};
  void Requests(int n, std::string_view path, int status, double seconds, std::uint32_t id) {
    const std::string_view method = path == "/inference/start" ? "POST" : "GET";
    for (int i = 0; i < n; ++i) metrics_.RecordRequest(id, path, method, status, seconds);
  }
};

TEST_F(DashboardApiSeries, RequestRateIsTheCounterDeltaOverTheInterval) {
  Requests(7, "/inference/start", 200, 0.003, 1);  // before the baseline: not in the rate
  history_.SampleAt(100);
  Requests(10, "/inference/start", 200, 0.003, 1);
  Requests(2, "/content/info", 500, 0.003, 2);
  history_.SampleAt(102);
  const auto j = history_.ToJson(900);
  ASSERT_EQ(j["points"], 1);
  EXPECT_EQ(j["t"][0], 102.0);
  EXPECT_DOUBLE_EQ(j["request_rate"][0].get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(j["error_rate"][0].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["route_rates"]["POST /inference/start"][0].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(j["route_rates"]["GET /content/info"][0].get<double>(), 1.0);
}

TEST_F(DashboardApiSeries, PickRatePerModelIsPicksOverAnswersSinceStart) {
  history_.SampleAt(0);
  metrics_.RecordModelFeedback("model-a", 0);
  metrics_.RecordModelFeedback("model-a", 4);
  metrics_.RecordModelFeedback("model-a", -1);
  metrics_.RecordModelFeedback("model-a", -1);
  history_.SampleAt(2);
  metrics_.RecordModelFeedback("model-b", -1);
  metrics_.RecordModelFeedback("model-a", 1);
  history_.SampleAt(4);
  const auto j = history_.ToJson(900);
  EXPECT_EQ(j["model_pick_rate"]["model-a"], nlohmann::json({0.5, 0.6}));
  EXPECT_EQ(j["model_pick_rate"]["model-b"], nlohmann::json({nullptr, 0.0}));
}

TEST_F(DashboardApiSeries, TheDashboardsOwnRequestsAreNotCounted) {
  history_.SampleAt(0);
  Requests(50, "/dashboard/data", 200, 2.0, 3);
  Requests(5, "/dashboard", 200, 2.0, 4);
  history_.SampleAt(2);
  const auto j = history_.ToJson(900);
  EXPECT_DOUBLE_EQ(j["request_rate"][0].get<double>(), 0.0);
  EXPECT_TRUE(j["latency_ms"]["p95"][0].is_null());
  EXPECT_TRUE(j["route_rates"].empty());
}

TEST_F(DashboardApiSeries, LatencyPercentilesComeFromTheIntervalsBucketDeltas) {
  history_.SampleAt(0);
  Requests(100, "/content/info", 200, 2.0, 2);  // slow interval
  history_.SampleAt(2);
  Requests(100, "/content/info", 200, 0.003, 2);  // all in the (2.5 ms, 5 ms] bucket
  history_.SampleAt(4);
  const auto j = history_.ToJson(900);
  ASSERT_EQ(j["points"], 2);
  EXPECT_NEAR(j["latency_ms"]["p50"][0].get<double>(), 1750.0, 1e-6);  // (1 s, 2.5 s]
  EXPECT_NEAR(j["latency_ms"]["p50"][1].get<double>(), 3.75, 1e-6);
  EXPECT_NEAR(j["latency_ms"]["p95"][1].get<double>(), 4.875, 1e-6);
  EXPECT_NEAR(j["latency_ms"]["p99"][1].get<double>(), 4.975, 1e-6);
}

TEST_F(DashboardApiSeries, ActiveInferencesIsTheGauge) {
  history_.SampleAt(0);
  metrics_.active_inferences().Set(3);
  history_.SampleAt(2);
  metrics_.active_inferences().Set(1);
  history_.SampleAt(4);
  const auto j = history_.ToJson(900);
  EXPECT_EQ(j["active_inferences"], nlohmann::json({3.0, 1.0}));
}

TEST(DashboardQuantile, InterpolatesLikePrometheus) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> bounds = {0.001, 0.01, 0.1, inf};
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.5, bounds, {0, 100, 100, 100}), 0.0055);
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.5, bounds, {100, 100, 100, 100}), 0.0005);
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.9, bounds, {0, 0, 0, 10}), 0.1);  // +Inf: lower bound
  EXPECT_TRUE(std::isnan(HistogramQuantile(0.5, bounds, {0, 0, 0, 0})));
  EXPECT_TRUE(std::isnan(HistogramQuantile(0.5, {}, {})));
}

TEST_F(DashboardHistory, LiveAccuracyIsGoodOverAllFeedbackInTheWindowAndSinceStart) {
  auto& family =
      prometheus::BuildCounter().Name("api_inference_feedback_total").Register(*registry_);
  auto& good = family.Add({{"outcome", "good"}, {"app_name", "api"}});
  auto& bad = family.Add({{"outcome", "bad"}, {"app_name", "api"}});
  History history(registry_, HistoryOptions{.interval_s = 30, .accuracy_window_s = 60});
  history.SampleAt(0);
  good.Increment(3);
  bad.Increment(1);
  history.SampleAt(30);
  history.SampleAt(60);
  bad.Increment(4);
  history.SampleAt(90);  // window (30, 90]: 0 good, 4 bad
  const auto j = history.ToJson(900);
  EXPECT_EQ(j["accuracy"]["window"], nlohmann::json({0.75, 0.75, 0.0}));
  EXPECT_EQ(j["accuracy"]["total"], nlohmann::json({0.75, 0.75, 0.375}));
  EXPECT_NEAR(j["feedback_rate"][2].get<double>(), 4.0 / 30, 1e-3);
}

TEST_F(DashboardHistory, MissingFeedbackAndDriftFamiliesAreNoData) {
  History history(registry_);
  history.SampleAt(0);
  history.SampleAt(2);
  const auto j = history.ToJson(900);
  ASSERT_EQ(j["points"], 1);
  EXPECT_TRUE(j["accuracy"]["window"][0].is_null());
  EXPECT_TRUE(j["accuracy"]["total"][0].is_null());
  EXPECT_TRUE(j["feedback_rate"][0].is_null());
  EXPECT_TRUE(j["active_inferences"][0].is_null());
  EXPECT_TRUE(j["drift_psi"].is_object());
  EXPECT_TRUE(j["drift_psi"].empty());
  EXPECT_TRUE(j["model_pick_rate"].empty());
}

TEST_F(DashboardHistory, DriftIsThePsiGaugePerFeatureWithNullBeforeItExists) {
  History history(registry_);
  history.SampleAt(0);
  history.SampleAt(2);
  auto& family = prometheus::BuildGauge().Name("drift_psi").Register(*registry_);
  family.Add({{"feature", "budget"}}).Set(0.31);
  history.SampleAt(4);
  family.Add({{"feature", "nights"}}).Set(0.02);
  history.SampleAt(6);
  const auto j = history.ToJson(900);
  EXPECT_EQ(j["drift_psi"]["budget"], nlohmann::json({nullptr, 0.31, 0.31}));
  EXPECT_EQ(j["drift_psi"]["nights"], nlohmann::json({nullptr, nullptr, 0.02}));
}

TEST_F(DashboardHistory, KeepsOnlyTheNewestCapacityPoints) {
  History history(registry_, HistoryOptions{.capacity = 5});
  for (int i = 0; i <= 10; ++i) history.SampleAt(2.0 * i);
  EXPECT_EQ(history.size(), 5u);
  const auto j = history.ToJson(3600);
  EXPECT_EQ(j["t"], nlohmann::json({12.0, 14.0, 16.0, 18.0, 20.0}));
}

TEST_F(DashboardHistory, WindowSelectsTheNewestPointsAndColumnsShareItsLength) {
  prometheus::Counter* late = nullptr;
  auto& family = prometheus::BuildCounter().Name("api_request_total").Register(*registry_);
  History history(registry_);
  for (int i = 0; i <= 20; ++i) {
    if (i == 18) late = &family.Add({{"method", "GET"}, {"path", "/models"}});
    if (late != nullptr) late->Increment(2);
    history.SampleAt(2.0 * i);
  }
  const auto j = history.ToJson(10);  // t > 40 - 10
  EXPECT_EQ(j["points"], 5);
  EXPECT_EQ(j["t"], nlohmann::json({32.0, 34.0, 36.0, 38.0, 40.0}));
  // A route seen late reads 0 before it appeared; every column is as long as `t`.
  EXPECT_EQ(j["route_rates"]["GET /models"], nlohmann::json({0.0, 0.0, 1.0, 1.0, 1.0}));
  EXPECT_EQ(j["latency_ms"]["p50"].size(), 5u);
  EXPECT_EQ(j["accuracy"]["total"].size(), 5u);
}

TEST_F(DashboardHistory, SamplerThreadAddsPointsUntilStopped) {
  History history(registry_, HistoryOptions{.interval_s = 0.01});
  history.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (history.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  history.Stop();
  const std::size_t stopped_at = history.size();
  EXPECT_GE(stopped_at, 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(history.size(), stopped_at);
}

}  // namespace
}  // namespace mlprod::api::dashboard

namespace mlprod::api::testing {
namespace {

TEST_F(ApiServerTest, DashboardPageLoadsItsChartLibraryFromTheServer) {
  const Reply page = client_->Get("/dashboard");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/dashboard/assets/uPlot.iife.min.js"), std::string::npos);
  EXPECT_EQ(page.body.find("http://"), std::string::npos);  // no external network
  EXPECT_EQ(page.body.find("https://"), std::string::npos);
  for (const char* asset : {"uPlot.iife.min.js", "uPlot.min.css", "dashboard.js"}) {
    const Reply r = client_->Get(std::string("/dashboard/assets/") + asset);
    EXPECT_EQ(r.status, 200) << asset;
    EXPECT_GT(r.body.size(), 1000u) << asset;
  }
  EXPECT_NE(client_->Get("/dashboard/assets/uPlot.iife.min.js").body.find("uPlot"),
            std::string::npos);
}

TEST_F(ApiServerTest, DashboardDataChartsTrafficAfterASample) {
  ApiConfig config = DefaultConfig();
  config.dashboard_history.interval_s = 0.05;
  StartServer(config);
  const Reply empty = client_->Get("/dashboard/data");  // may already hold idle points
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(empty.header("cache-control"), "no-store");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(client_->Get("/content/info").status, 200);
  nlohmann::json j;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  double seen = 0;
  while (seen == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    j = client_->Get("/dashboard/data?window=60").json();
    for (const auto& v : j["route_rates"]["GET /content/info"]) seen += v.get<double>();
  }
  EXPECT_GT(seen, 0);
  EXPECT_EQ(j["t"].size(), j["request_rate"].size());
  EXPECT_EQ(client_->Get("/dashboard/data?window=5").status, 422);
  EXPECT_EQ(client_->Get("/dashboard/data?window=abc").status, 422);
}

}  // namespace
}  // namespace mlprod::api::testing
