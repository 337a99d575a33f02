#include "tasks/model_pool.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tasks/inference_task.h"
#include "tasks/task_fixture.h"

namespace mlprod::tasks {
namespace {

class ModelPoolTest : public TaskFixture {};

TEST_F(ModelPoolTest, RefreshFailsClearlyWithoutActiveModel) {
  ModelPool pool(*store_);
  auto st = pool.Refresh();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("no active model"), std::string::npos);
  EXPECT_FALSE(pool.Pick("x").ok());
}

TEST_F(ModelPoolTest, SplitsTrafficByUsePercentageDeterministically) {
  RegisterBaseline(false);
  // A second model sharing the traffic 30/70 with the baseline (same weights, other id).
  RegisterSecondModel("canary", "promoted", 0.3);

  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  int canary_picks = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const auto id = "task-" + std::to_string(i);
    auto a = pool.Pick(id);
    auto b = pool.Pick(id);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->model_id, b->model_id);  // the same task always goes to the same model
    canary_picks += a->model_id == "canary";
  }
  // Binomial(4000, 0.3): 4 sigma is about 116.
  EXPECT_NEAR(canary_picks, 0.3 * n, 120);
}

TEST_F(ModelPoolTest, ACanaryIsInterleavedOnItsShareAndNeverPickedAlone) {
  RegisterBaseline(false);
  RegisterSecondModel("cand", "canary", 0.2);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  EXPECT_EQ(pool.Primary()->model_id, "baseline");
  EXPECT_EQ(pool.Active().size(), 2u);
  int interleaved = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const auto id = "task-" + std::to_string(i);
    auto a = pool.Assign(id);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->model.model_id, "baseline");
    EXPECT_EQ(pool.Pick(id)->model_id, "baseline");
    if (a->candidate) {
      EXPECT_EQ(a->candidate->model_id, "cand");
      EXPECT_EQ(pool.Assign(id)->candidate.has_value(), true);  // deterministic per task
      ++interleaved;
    }
  }
  EXPECT_NEAR(interleaved, 0.2 * n, 110);  // Binomial(4000, 0.2): 4 sigma is about 101
}

TEST_F(ModelPoolTest, AnActiveModelWhoseFolderDoesNotLoadIsSkipped) {
  RegisterBaseline(false);
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "broken",
                                   .status = "canary",
                                   .path = (dir_ / "models" / "missing").string(),
                                   .use_percentage = 0.5})
                  .ok());
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  const auto active = pool.Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].model_id, "baseline");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(pool.Pick("t-" + std::to_string(i))->model_id, "baseline");
  ASSERT_TRUE(pool.Refresh().ok()) << "still skipped on the next refresh";
}

TEST_F(ModelPoolTest, RefreshFailsWhenNoActiveModelLoads) {
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "broken",
                                   .status = "promoted",
                                   .path = (dir_ / "models" / "missing").string(),
                                   .use_percentage = 1.0})
                  .ok());
  ModelPool pool(*store_);
  auto st = pool.Refresh();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("none of the 1 active models can be loaded"), std::string::npos)
      << st.error().message;
}

TEST_F(ModelPoolTest, WhenNoActiveModelLoadsTheNewestLoadableServedModelFallsIn) {
  RegisterBaseline(false);
  const std::string baseline_path = (*store_->GetModel("baseline"))->path;
  ASSERT_TRUE(store_->SetModelUsePercentage("baseline", 0).ok());
  // Newer, loadable, but never approved: ranked after the baseline (which served).
  ASSERT_TRUE(
      store_->RegisterModel({.task_id = "rejected", .status = "rejected", .path = baseline_path})
          .ok());
  const auto missing = dir_ / "models" / "gone";
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "gone",
                                   .status = "promoted",
                                   .path = missing.string(),
                                   .use_percentage = 1.0})
                  .ok());
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok()) << "a healthy baseline on disk keeps the pool serving";
  EXPECT_EQ(pool.Primary()->model_id, "baseline");
  EXPECT_EQ(pool.Pick("t-1")->model_id, "baseline");
  EXPECT_NE(pool.Warning().find("none of the 1 active models can be loaded"), std::string::npos)
      << pool.Warning();
  EXPECT_NE(pool.Warning().find("fallback model baseline"), std::string::npos) << pool.Warning();
  // The active model's folder comes back: the next refresh serves it and the warning clears.
  std::filesystem::copy(baseline_path, missing, std::filesystem::copy_options::recursive);
  ASSERT_TRUE(pool.Refresh().ok());
  EXPECT_EQ(pool.Primary()->model_id, "gone");
  EXPECT_EQ(pool.Warning(), "");
}

TEST_F(ModelPoolTest, WithNoActiveModelATrainedModelStillServesAsAFallback) {
  RegisterBaseline(false);
  ASSERT_TRUE(store_->SetModelUsePercentage("baseline", 0).ok());
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  EXPECT_EQ(pool.Primary()->model_id, "baseline");
  EXPECT_NE(pool.Warning().find("no active model"), std::string::npos) << pool.Warning();
}

TEST_F(ModelPoolTest, InferenceScoresEveryLocationOnceAndIsIdempotent) {
  RegisterBaseline(false);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  InferenceTask task(*store_, pool);
  User user = dataset_.users[0].user;
  const std::string task_id = NewUuid();
  auto user_id = store_->StartInference(user, task_id);
  ASSERT_TRUE(user_id.ok());
  queue::TaskMessage message;
  message.id = task_id;
  message.args = nlohmann::json::array({*user_id});
  auto first = task.Run(message);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ((*first)["results"], dataset_.locations.size());
  auto again = task.Run(message);  // a redelivered message
  ASSERT_TRUE(again.ok());
  auto rows = store_->ListResults(task_id, 0, -1);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), dataset_.locations.size());
  std::set<std::int64_t> ids;
  for (const auto& r : *rows) {
    ids.insert(r.location_id);
    EXPECT_EQ(r.model_id, "baseline");
    EXPECT_GE(r.score, 0.0);
    EXPECT_LE(r.score, 1.0);
  }
  EXPECT_EQ(ids.size(), dataset_.locations.size());
}

// Propensity logging: an explored task stores a random order, its rows marked explored with
// ε/n (+ 1 − ε where the random rank equals the model's); a task in the model's order logs
// (1 − ε) + ε/n on every row; the first answer to an explored list counts under "explored".
TEST_F(ModelPoolTest, ExploredTasksStoreARandomOrderAndEveryRowItsPropensity) {
  RegisterBaseline(false);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  const double eps = 0.3;
  InferenceTask task(*store_, pool, nullptr, ExploreOptions{.share = eps});
  const double n = static_cast<double>(dataset_.locations.size());
  int explored_tasks = 0, plain_tasks = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string task_id = NewUuid();
    auto user_id = store_->StartInference(dataset_.users[i].user, task_id);
    ASSERT_TRUE(user_id.ok());
    queue::TaskMessage message;
    message.id = task_id;
    message.args = nlohmann::json::array({*user_id});
    auto out = task.Run(message);
    ASSERT_TRUE(out.ok()) << out.error().message;
    const bool explored = out->value("explored", false);
    EXPECT_EQ(explored, Explores(task_id, eps));
    auto top = store_->TopResults(task_id, 10);
    ASSERT_TRUE(top.ok());
    ASSERT_EQ(top->size(), 10u);
    auto all = store_->ListResults(task_id, 0, -1);
    ASSERT_TRUE(all.ok());
    std::vector<const store::ResultRow*> by_score;
    for (const auto& r : *all) by_score.push_back(&r);
    std::stable_sort(by_score.begin(), by_score.end(),
                     [](auto* a, auto* b) { return a->score > b->score; });
    int in_model_order = 0;
    for (std::size_t k = 0; k < top->size(); ++k) {
      const auto& r = (*top)[k];
      EXPECT_EQ(r.explored, explored);
      const bool at_model_rank = by_score[k]->location_id == r.location_id;
      in_model_order += at_model_rank;
      if (explored) {
        EXPECT_NEAR(r.propensity, eps / n + (at_model_rank ? 1 - eps : 0), 1e-12);
      } else {
        EXPECT_NEAR(r.propensity, (1 - eps) + eps / n, 1e-12);
        EXPECT_TRUE(at_model_rank);
      }
    }
    if (explored) {
      EXPECT_LT(in_model_order, 5) << "a random order rarely agrees with the model's";
      ++explored_tasks;
      ASSERT_TRUE(store_->RejectResults(task_id).ok());
    } else {
      ++plain_tasks;
    }
  }
  EXPECT_GT(explored_tasks, 0);
  EXPECT_GT(plain_tasks, 0);
  EXPECT_EQ(store_->GetModelFeedback(store::kExploredFeedbackId)->no_picks, explored_tasks);
  EXPECT_EQ(store_->GetModelFeedback("baseline")->lists, 0);
  auto rows = store_->NewestExploredResults(1000);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 10u * explored_tasks);
}

TEST_F(ModelPoolTest, ACanaryTaskStoresTheInterleavedListWithEachRowsModel) {
  RegisterBaseline(false);
  RegisterSecondModel("cand", "canary", 0.5);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  InferenceTask task(*store_, pool);
  std::string task_id;
  do task_id = NewUuid();
  while (!pool.Assign(task_id)->candidate);
  auto user_id = store_->StartInference(dataset_.users[0].user, task_id);
  ASSERT_TRUE(user_id.ok());
  queue::TaskMessage message;
  message.id = task_id;
  message.args = nlohmann::json::array({*user_id});
  auto out = task.Run(message);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ((*out)["interleaved_with"], "cand");
  auto top = store_->TopResults(task_id, static_cast<int>(dataset_.locations.size()));
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), dataset_.locations.size());
  // Both models rank alike (same weights): the interleaved list is that ranking, its positions
  // alternating between the teams pair by pair.
  int from_candidate = 0;
  for (std::size_t i = 0; i < top->size(); ++i) {
    if (i > 0) {
      EXPECT_GE((*top)[i - 1].score, (*top)[i].score) << i;
    }
    from_candidate += (*top)[i].model_id == "cand";
  }
  EXPECT_EQ(from_candidate, static_cast<int>(dataset_.locations.size() / 2));
  EXPECT_NE((*top)[0].model_id, (*top)[1].model_id);
}

TEST_F(ModelPoolTest, InferenceRejectsBadArgumentsAndUnknownUsers) {
  RegisterBaseline(false);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  InferenceTask task(*store_, pool);
  queue::TaskMessage message;
  message.id = NewUuid();
  message.args = nlohmann::json::array({"abc"});
  auto bad = task.Run(message);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  message.args = nlohmann::json::array({987654});
  auto missing = task.Run(message);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ModelPoolTest, AnInferenceThatFailsForGoodReadsFailureInTheStore) {
  RegisterBaseline(false);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  InferenceTask task(*store_, pool);
  auto status_of = [&](const std::string& id) {
    auto row = store_->GetInference(id);
    return row.ok() && row->has_value() ? std::string(TaskStateName((*row)->status)) : "?";
  };
  // A row whose message names another, unknown user: the task fails, the row says so.
  const std::string failing = NewUuid();
  ASSERT_TRUE(store_->StartInference(dataset_.users[0].user, failing).ok());
  queue::TaskMessage message;
  message.id = failing;
  message.args = nlohmann::json::array({987654});
  ASSERT_FALSE(task.Run(message).ok());
  EXPECT_EQ(status_of(failing), "FAILURE");
  // A later delivery that fails does not undo a SUCCESS.
  const std::string done = NewUuid();
  auto uid = store_->StartInference(dataset_.users[0].user, done);
  ASSERT_TRUE(uid.ok());
  message.id = done;
  message.args = nlohmann::json::array({*uid});
  ASSERT_TRUE(task.Run(message).ok());
  message.args = nlohmann::json::array({"abc"});
  ASSERT_FALSE(task.Run(message).ok());
  EXPECT_EQ(status_of(done), "SUCCESS");
}

}  // namespace
}  // namespace mlprod::tasks
