// Live feedback per model through the server in-process: PUT /inference/select/ counts a task's
// first answer once, GET /models and /models/{id} report it under "live", /metrics exports it.
#include <gtest/gtest.h>

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
  // Changing the pick or answering "no pick" afterwards does not count again.
  ASSERT_EQ(Select(first, rows[0]["location_id"].get<long long>()), 200);
  ASSERT_EQ(Select(first, -1), 200);
  const auto [second, rows2] = ShownTask();
  ASSERT_EQ(Select(second, -1), 200);

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
  // Every answer still counts in the process-wide family.
  EXPECT_NE(text.find("api_inference_feedback_total{app_name=\"api\",outcome=\"good\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("api_inference_feedback_total{app_name=\"api\",outcome=\"bad\"} 2\n"),
            std::string::npos);
}

}  // namespace
}  // namespace mlprod::api::testing
