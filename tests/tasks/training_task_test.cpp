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
  // All ten metrics are stored and sane.
  auto row = store_->GetModel("train-better");
  ASSERT_TRUE(row.ok() && row->has_value());
  for (double m : {(*row)->train.acc, (*row)->train.auc, (*row)->train.pre, (*row)->train.rec,
                   (*row)->train.f1, (*row)->test.acc, (*row)->test.auc, (*row)->test.pre,
                   (*row)->test.rec, (*row)->test.f1}) {
    EXPECT_GT(m, 0.0);
    EXPECT_LE(m, 1.0);
  }
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
  EXPECT_EQ((*row)->status, "SUCCESS");
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
  auto row = store_->GetModel("train-empty");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "FAILED");
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
