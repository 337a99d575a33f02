#include "tasks/training_task.h"

#include <gtest/gtest.h>

#include "tasks/task_fixture.h"

namespace mlprod::tasks {
namespace {

class TrainingTaskTest : public TaskFixture {
 protected:
  // Trains on the newest `window` shown results, the newest `train_rows` of them training.
  nlohmann::json RunTraining(const std::string& task_id, int window, int train_rows) {
    ModelPool pool(*store_);
    EXPECT_TRUE(pool.Refresh().ok());
    TrainingOptions options;
    options.models_dir = dir_ / "models";
    options.newest_results = window;
    options.train_rows = train_rows;
    options.train.epochs = 30;
    TrainingTask task(*store_, pool, options);
    queue::TaskMessage message;
    message.id = task_id;
    message.task = std::string(queue::kTrainingTask);
    auto result = task.Run(message);
    EXPECT_TRUE(result.ok()) << result.error().message;
    if (!result.ok()) return {};
    auto primary = pool.Primary();
    EXPECT_TRUE(primary.ok());
    last_primary_ = primary.ok() ? primary->model_id : "";
    return *result;
  }

  std::string last_primary_;
};

TEST_F(TrainingTaskTest, PromotesNewModelWhenItsTestAucIsHigher) {
  RegisterBaseline(/*noise=*/true);  // the old model learned nothing
  const int rows = PlayUsers(0, 400, /*garbage=*/false);
  const auto out = RunTraining("train-better", rows, rows * 8 / 9);
  ASSERT_FALSE(out.is_null());
  EXPECT_TRUE(out["promoted"].get<bool>()) << out.dump();
  EXPECT_GT(out["new"]["auc"].get<double>(), out["old"]["auc"].get<double>());
  EXPECT_EQ(out["old"]["model_id"], "baseline");
  EXPECT_EQ(last_primary_, "train-better");

  auto active = store_->ActiveModels();
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().task_id, "train-better");
  EXPECT_DOUBLE_EQ(active->front().use_percentage, 1.0);
  auto old = store_->GetModel("baseline");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_DOUBLE_EQ((*old)->use_percentage, 0.0);
  EXPECT_EQ((*old)->status, "retired");
  // All ten metrics are stored and sane.
  auto row = store_->GetModel("train-better");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "promoted");
  for (const auto& m : {(*row)->train.acc, (*row)->train.auc, (*row)->train.pre, (*row)->train.rec,
                        (*row)->train.f1, (*row)->test.acc, (*row)->test.auc, (*row)->test.pre,
                        (*row)->test.rec, (*row)->test.f1}) {
    ASSERT_TRUE(m.has_value());
    EXPECT_GT(*m, 0.0);
    EXPECT_LE(*m, 1.0);
  }
  // The path through the lifecycle, each step with its reason; the offline comparison is the
  // evidence of training→candidate and of the decision.
  auto history = store_->ListModelTransitions("train-better");
  ASSERT_TRUE(history.ok());
  std::vector<std::string> path;
  for (const auto& t : *history) path.push_back(t.from_state + ">" + t.to_state);
  EXPECT_EQ(path, (std::vector<std::string>{">pending", "pending>training", "training>candidate",
                                            "candidate>promoted"}));
  const auto offline = nlohmann::json::parse((*history)[2].evidence)["offline"];
  EXPECT_EQ(offline["old"]["model_id"], "baseline");
  EXPECT_EQ(offline["test_rows"], out["test_rows"]);
  EXPECT_DOUBLE_EQ(offline["new"]["auc"].get<double>(), out["new"]["auc"].get<double>());
  EXPECT_NE(offline["rule"].get<std::string>().find("test ROC AUC"), std::string::npos);
  EXPECT_NE((*row)->reason.find("higher"), std::string::npos) << (*row)->reason;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "models" / "train-better" / "model.json"));
  // The retrained model carries the drift reference of its training rows.
  auto saved = ml::LoadModel(dir_ / "models" / "train-better");
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  ASSERT_TRUE(saved->metadata().input_profile.has_value());
  EXPECT_EQ(saved->metadata().input_profile->rows, saved->metadata().train_records);
}

TEST_F(TrainingTaskTest, KeepsOldModelWhenNewOneIsWorseOnTheSameTestRows) {
  RegisterBaseline(/*noise=*/false);  // a good old model
  // The oldest rows (the test split) carry real picks; the newest (training) are inverted.
  const int real = PlayUsers(0, 100, /*garbage=*/false);
  const int garbage = PlayUsers(100, 400, /*garbage=*/true);
  const auto out = RunTraining("train-worse", real + garbage, garbage);
  EXPECT_EQ(out["test_rows"], real);
  ASSERT_FALSE(out.is_null());
  EXPECT_FALSE(out["promoted"].get<bool>()) << out.dump();
  EXPECT_LT(out["new"]["auc"].get<double>(), out["old"]["auc"].get<double>());
  EXPECT_EQ(last_primary_, "baseline");
  auto row = store_->GetModel("train-worse");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_DOUBLE_EQ((*row)->use_percentage, 0.0);
  EXPECT_EQ((*row)->status, "rejected");
  EXPECT_NE((*row)->reason.find("not higher"), std::string::npos) << (*row)->reason;
  EXPECT_EQ(out["state"], "rejected");
  EXPECT_EQ((*store_->GetModel("baseline"))->status, "promoted");
}

TEST_F(TrainingTaskTest, FailsClearlyWithTooFewShownResults) {
  RegisterBaseline(/*noise=*/false);
  PlayUsers(0, 3, /*garbage=*/false);
  ModelPool pool(*store_);
  ASSERT_TRUE(pool.Refresh().ok());
  TrainingOptions options;
  options.models_dir = dir_ / "models";
  TrainingTask task(*store_, pool, options);
  queue::TaskMessage message;
  message.id = "train-empty";
  auto result = task.Run(message);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("not enough shown results"), std::string::npos);
  // No API wrote a row first (a Celery client published the task): the task made it.
  auto row = store_->GetModel("train-empty");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "failed");
  EXPECT_EQ((*row)->reason, result.error().message);
  EXPECT_FALSE((*row)->test.auc.has_value()) << "a failed model has no metrics, not 0.0";
  EXPECT_EQ(store_->ListModelTransitions("train-empty")->back().to_state, "failed");
}

TEST(TrainRowCount, UsesEightThousandOfNineThousandElseTheSameShare) {
  TrainingOptions options;
  EXPECT_EQ(TrainRowCount(9000, options), 8000);
  EXPECT_EQ(TrainRowCount(20000, options), 8000);
  EXPECT_EQ(TrainRowCount(900, options), 800);
  EXPECT_EQ(TrainRowCount(1, options), 0);
}

}  // namespace
}  // namespace mlprod::tasks
