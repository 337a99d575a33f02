// Live feedback per model through the server in-process: PUT /inference/select/ counts a task's
// first answer once, GET /models and /models/{id} report it under "live", /metrics exports it.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "api_test_env.h"

namespace mlprod::api::testing {
namespace {

using boost::beast::http::verb;

class LiveFeedbackTest : public ApiServerTest {
 protected:
  // Starts an inference, plays the worker, reads the top 5; returns the task id and rows.
  std::pair<std::string, nlohmann::json> ShownTask() {
    const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
    const auto task_id = started.json()["task_id"].get<std::string>();
    EXPECT_EQ(PlayInferenceWorker(), task_id);
    const Reply results = client_->Get("/inference/results/" + task_id + "?limit=5");
    EXPECT_EQ(results.status, 200) << results.body;
    return {task_id, results.json()};
  }
  int Select(const std::string& task_id, long long location_id) {
    const nlohmann::json body = {{"task_id", task_id}, {"location_id", location_id}};
    return client_->Call(verb::put, "/inference/select/", body.dump()).status;
  }
  nlohmann::json Live() { return client_->Get("/models/baseline").json()["live"]; }
};

TEST_F(LiveFeedbackTest, ModelsReportNullRatesBeforeAnyAnswer) {
  const auto live = Live();
  EXPECT_EQ(live["lists"], 0);
  EXPECT_TRUE(live["pick_rate"].is_null());
  EXPECT_TRUE(live["mean_pick_position"].is_null());
  EXPECT_EQ(live["pick_positions"], nlohmann::json(std::vector<int>(11, 0)));
}

TEST_F(LiveFeedbackTest, FirstAnswerPerTaskCountsInModelsAndMetrics) {
  const auto [first, rows] = ShownTask();
  ASSERT_EQ(rows.size(), 5u);
  ASSERT_EQ(Select(first, rows[2]["location_id"].get<long long>()), 200);
  // The same pick again is answered and counts nothing; changing it or answering "no pick"
  // afterwards is refused.
  ASSERT_EQ(Select(first, rows[2]["location_id"].get<long long>()), 200);
  ASSERT_EQ(Select(first, rows[0]["location_id"].get<long long>()), 409);
  ASSERT_EQ(Select(first, -1), 409);
  const auto [second, rows2] = ShownTask();
  ASSERT_EQ(Select(second, -1), 200);
  ASSERT_EQ(Select(second, -1), 200);
  ASSERT_EQ(Select(second, rows2[0]["location_id"].get<long long>()), 409);

  const auto live = Live();
  EXPECT_EQ(live["lists"], 2);
  EXPECT_EQ(live["picks"], 1);
  EXPECT_EQ(live["no_picks"], 1);
  EXPECT_EQ(live["pick_positions"][2], 1);
  EXPECT_DOUBLE_EQ(live["pick_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(live["mean_pick_position"].get<double>(), 2.0);
  const Reply list = client_->Get("/models");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json()[0]["live"], live);

  const std::string text = client_->Get("/metrics").body;
  EXPECT_NE(text.find("api_model_feedback_total{app_name=\"api\",model_id=\"baseline\","
                      "outcome=\"pick\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("api_model_feedback_total{app_name=\"api\",model_id=\"baseline\","
                      "outcome=\"no_pick\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("api_model_pick_position_count{app_name=\"api\",model_id=\"baseline\"} 1\n"),
            std::string::npos);
  // The process-wide family counts each task's one answer too.
  EXPECT_NE(text.find("api_inference_feedback_total{app_name=\"api\",outcome=\"good\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("api_inference_feedback_total{app_name=\"api\",outcome=\"bad\"} 1\n"),
            std::string::npos);
}

TEST_F(LiveFeedbackTest, OnlyAShownLocationCanBePicked) {
  const auto [task, rows] = ShownTask();  // the top 5 of kLocations
  std::set<long long> shown;
  for (const auto& r : rows) shown.insert(r["location_id"].get<long long>());
  long long unshown = 1;
  while (shown.count(unshown) > 0) ++unshown;
  const nlohmann::json body = {{"task_id", task}, {"location_id", unshown}};
  const Reply refused = client_->Call(verb::put, "/inference/select/", body.dump());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.json()["detail"][0]["loc"], nlohmann::json({"body", "location_id"}));
  EXPECT_EQ(StoreCounts().selected, 0);
  EXPECT_EQ(Live()["lists"], 0);
  EXPECT_EQ(Select(task, *shown.begin()), 200);
}

// 100 identical picks racing on one task from four connections: every one is answered 200,
// one label, one count in the model's live feedback and in the metrics.
TEST_F(LiveFeedbackTest, RacingIdenticalPicksCountOnce) {
  const auto [task, rows] = ShownTask();
  const long long pick = rows[1]["location_id"].get<long long>();
  const nlohmann::json body = {{"task_id", task}, {"location_id", pick}};
  std::atomic<int> ok{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Client client(server_->port());
      for (int i = 0; i < 25; ++i) {
        const int status = client.Call(verb::put, "/inference/select/", body.dump()).status;
        (status == 200 ? ok : other)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(StoreCounts().selected, 1);
  EXPECT_EQ(Live()["lists"], 1);
  const std::string text = client_->Get("/metrics").body;
  EXPECT_NE(text.find("api_inference_feedback_total{app_name=\"api\",outcome=\"good\"} 1\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace mlprod::api::testing
