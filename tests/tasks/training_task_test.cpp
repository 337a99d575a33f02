#include "tasks/training_task.h"

#include <gtest/gtest.h>

#include "tasks/task_fixture.h"

namespace mlprod::tasks {
namespace {

// Training ids name model folders, so they are UUIDs (TrainingTask refuses anything else).
constexpr const char* kBetter = "00000000-0000-4000-8000-000000000001";
constexpr const char* kDirect = "00000000-0000-4000-8000-000000000002";
constexpr const char* kWorse = "00000000-0000-4000-8000-000000000003";
constexpr const char* kBad = "00000000-0000-4000-8000-000000000004";
constexpr const char* kNoref = "00000000-0000-4000-8000-000000000005";
constexpr const char* kEmpty = "00000000-0000-4000-8000-000000000006";
constexpr const char* kExplored = "00000000-0000-4000-8000-000000000007";
constexpr const char* kFallback = "00000000-0000-4000-8000-000000000008";

class TrainingTaskTest : public TaskFixture {
 protected:
  TrainingOptions Options(int window, int train_rows) {
    TrainingOptions options;
    options.models_dir = dir_ / "models";
    options.reference_data = ReferenceData();
    options.data.newest_results = window;
    options.data.train_rows = train_rows;
    options.train.epochs = 30;
    return options;
  }

  // Trains on the newest `window` shown results, the newest `train_rows` of them training.
  nlohmann::json RunTraining(const std::string& task_id, const TrainingOptions& options) {
    ModelPool pool(*store_, {}, dir_);
    EXPECT_TRUE(pool.Refresh().ok());
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

  std::vector<std::string> Path(const std::string& model_id) {
    auto history = store_->ListModelTransitions(model_id);
    EXPECT_TRUE(history.ok());
    std::vector<std::string> path;
    for (const auto& t : *history) path.push_back(t.from_state + ">" + t.to_state);
    return path;
  }

  std::string last_primary_;
};

TEST_F(TrainingTaskTest, ACandidateThatBeatsTheServingModelOnTheHoldoutBecomesACanary) {
  RegisterBaseline(/*noise=*/true);  // the old model learned nothing
  const int rows = PlayUsers(0, 400, /*garbage=*/false);
  const auto out = RunTraining(kBetter, Options(rows, rows * 8 / 9));
  ASSERT_FALSE(out.is_null());
  EXPECT_EQ(out["state"], "canary") << out.dump();
  const auto& gate = out["gate"];
  EXPECT_EQ(gate["holdout_rows"], 800);  // the last 20 % of the 4000 reference rows
  EXPECT_EQ(gate["current"]["model_id"], "baseline");
  EXPECT_GT(gate["candidate"]["auc"].get<double>(), gate["current"]["auc"].get<double>());
  // Shown rows plus the reference training split.
  EXPECT_EQ(out["train_rows"], rows * 8 / 9 + 3200);
  // The serving model keeps its share; the canary's share is its interleaved fraction.
  EXPECT_EQ(last_primary_, "baseline");
  auto row = store_->GetModel(kBetter);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "canary");
  EXPECT_EQ((*row)->path, std::string("models/") + kBetter) << "relative to the data dir";
  EXPECT_DOUBLE_EQ((*row)->use_percentage, 0.1);
  EXPECT_NE((*row)->reason.find("passes the offline gate"), std::string::npos) << (*row)->reason;
  EXPECT_EQ((*store_->GetModel("baseline"))->status, "promoted");
  EXPECT_DOUBLE_EQ((*store_->GetModel("baseline"))->use_percentage, 1.0);
  // The registry's test metrics are the holdout's, so they compare with the baseline's.
  ASSERT_TRUE((*row)->test.auc.has_value());
  EXPECT_DOUBLE_EQ(*(*row)->test.auc, gate["candidate"]["auc"].get<double>());
  for (const auto& m :
       {(*row)->train.acc, (*row)->train.auc, (*row)->train.pre, (*row)->train.rec,
        (*row)->train.f1, (*row)->test.acc, (*row)->test.pre, (*row)->test.rec, (*row)->test.f1}) {
    ASSERT_TRUE(m.has_value());
    EXPECT_GT(*m, 0.0);
    EXPECT_LE(*m, 1.0);
  }
  EXPECT_EQ(Path(kBetter), (std::vector<std::string>{">pending", "pending>training",
                                                     "training>candidate", "candidate>canary"}));
  // The evidence: the gate and, for information, the reference's comparison on shown rows.
  const auto evidence = nlohmann::json::parse((*row)->evidence)["offline"];
  EXPECT_EQ(evidence["gate"], gate);
  EXPECT_EQ(evidence["shown"]["old"]["model_id"], "baseline");
  EXPECT_EQ(evidence["shown"]["test_rows"], rows - rows * 8 / 9);
  EXPECT_NE(evidence["shown"]["rule"].get<std::string>().find("information only"),
            std::string::npos);
  // The retrained model carries the drift reference of its training rows.
  auto saved = ml::LoadModel(dir_ / "models" / kBetter);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  ASSERT_TRUE(saved->metadata().input_profile.has_value());
  EXPECT_EQ(saved->metadata().input_profile->rows, saved->metadata().train_records);
}

TEST_F(TrainingTaskTest, WithTheCanaryOffAPassingCandidateIsPromotedOnTheGateAlone) {
  RegisterBaseline(/*noise=*/true);
  const int rows = PlayUsers(0, 400, /*garbage=*/false);
  TrainingOptions options = Options(rows, rows * 8 / 9);
  options.promotion.canary_share = 0;
  const auto out = RunTraining(kDirect, options);
  EXPECT_EQ(out["state"], "promoted") << out.dump();
  EXPECT_EQ(last_primary_, kDirect);
  EXPECT_EQ((*store_->GetModel("baseline"))->status, "retired");
  EXPECT_DOUBLE_EQ((*store_->GetModel("baseline"))->use_percentage, 0.0);
  EXPECT_EQ(Path(kDirect).back(), "candidate>promoted");
}

TEST_F(TrainingTaskTest, ACandidateWorseOnTheHoldoutIsRejectedWhateverTheShownRowsSay) {
  RegisterBaseline(/*noise=*/false);  // a good old model
  // Every shown list picked its worst location: a candidate learning that ranks badly.
  const int garbage = PlayUsers(0, 400, /*garbage=*/true);
  const auto out = RunTraining(kWorse, Options(garbage, garbage * 8 / 9));
  ASSERT_FALSE(out.is_null());
  EXPECT_EQ(out["state"], "rejected") << out.dump();
  EXPECT_LT(out["gate"]["candidate"]["auc"].get<double>(),
            out["gate"]["current"]["auc"].get<double>());
  EXPECT_EQ(last_primary_, "baseline");
  auto row = store_->GetModel(kWorse);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_DOUBLE_EQ((*row)->use_percentage, 0.0);
  EXPECT_EQ((*row)->status, "rejected");
  EXPECT_NE((*row)->reason.find("not better beyond chance"), std::string::npos) << (*row)->reason;
  EXPECT_EQ((*store_->GetModel("baseline"))->status, "promoted");
}

TEST_F(TrainingTaskTest, TheTestSwitchSendsACandidateOnShuffledLabelsToTheCanary) {
  RegisterBaseline(/*noise=*/false);
  const int rows = PlayUsers(0, 400, /*garbage=*/false);
  TrainingOptions options = Options(rows, rows * 8 / 9);
  options.test_shuffle_labels = true;
  options.promotion.ignore_gate = true;
  const auto out = RunTraining(kBad, options);
  EXPECT_EQ(out["state"], "canary") << out.dump();
  // The gate saw through it; only the switch let it pass.
  EXPECT_LT(out["gate"]["candidate"]["auc"].get<double>(),
            out["gate"]["current"]["auc"].get<double>());
  EXPECT_NE(out["reason"].get<std::string>().find("IGNORED"), std::string::npos) << out.dump();
}

TEST_F(TrainingTaskTest, FailsWithItsReasonWithoutTheReferenceData) {
  RegisterBaseline(/*noise=*/false);
  const int rows = PlayUsers(0, 200, /*garbage=*/false);
  TrainingOptions options = Options(rows, rows * 8 / 9);
  options.reference_data = dir_ / "missing" / "dataset_labelled.tsv";
  ModelPool pool(*store_, {}, dir_);
  ASSERT_TRUE(pool.Refresh().ok());
  TrainingTask task(*store_, pool, options);
  queue::TaskMessage message;
  message.id = kNoref;
  auto result = task.Run(message);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("missing/dataset_labelled.tsv"), std::string::npos);
  auto row = store_->GetModel(kNoref);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "failed");
  EXPECT_EQ((*row)->reason, result.error().message);
}

TEST_F(TrainingTaskTest, FailsClearlyWithTooFewShownResults) {
  RegisterBaseline(/*noise=*/false);
  PlayUsers(0, 3, /*garbage=*/false);
  ModelPool pool(*store_, {}, dir_);
  ASSERT_TRUE(pool.Refresh().ok());
  TrainingOptions options;
  options.models_dir = dir_ / "models";
  options.reference_data = ReferenceData();
  TrainingTask task(*store_, pool, options);
  queue::TaskMessage message;
  message.id = kEmpty;
  auto result = task.Run(message);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("not enough shown results"), std::string::npos);
  // No API wrote a row first (a Celery client published the task): the task made it.
  auto row = store_->GetModel(kEmpty);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "failed");
  EXPECT_EQ((*row)->reason, result.error().message);
  EXPECT_FALSE((*row)->test.auc.has_value()) << "a failed model has no metrics, not 0.0";
  EXPECT_EQ(store_->ListModelTransitions(kEmpty)->back().to_state, "failed");
}

TEST_F(TrainingTaskTest, WithEnoughExploredListsTheyTrainAndTheirNewestListsGate) {
  RegisterBaseline(/*noise=*/true);
  PlayUsers(0, 100, /*garbage=*/false);  // shown results: not used once explored lists suffice
  const int explored = PlayUsers(100, 400, /*garbage=*/false, /*explored=*/true);
  const auto out = RunTraining(kExplored, Options(9000, 8000));
  ASSERT_FALSE(out.is_null());
  EXPECT_EQ(out["state"], "canary") << out.dump();
  const auto& data = out["data"];
  EXPECT_EQ(data["holdout"], "explored");
  // The answered explored lists of the 300 played users.
  const int lists = data["explored_lists"].get<int>();
  EXPECT_GE(lists, 290);
  EXPECT_LE(lists, 300);
  EXPECT_EQ(data["holdout_lists"], lists / 5);  // the newest 20 %
  EXPECT_EQ(out["gate"]["holdout"], "explored");
  const auto holdout_rows = out["gate"]["holdout_rows"].get<int>();
  EXPECT_LE(data["live_train_rows"].get<int>() + holdout_rows, explored);
  EXPECT_GE(data["live_train_rows"].get<int>() + holdout_rows, explored * 29 / 30);
  EXPECT_EQ(out["train_rows"], data["live_train_rows"].get<int>() + 3200);
  EXPECT_FALSE(out.contains("shown")) << "the shown-rows comparison belongs to the fallback";
  EXPECT_GT(out["gate"]["auc_difference_lower_bound"].get<double>(), 0);
  // The datasets table records exactly the live rows that trained.
  auto model = store_->GetModel(kExplored);
  ASSERT_TRUE(model.ok() && model->has_value());
  EXPECT_NE((*model)->evidence.find("\"explored_lists\":" + std::to_string(lists)),
            std::string::npos);
}

TEST_F(TrainingTaskTest, TooFewExploredListsFallBackToShownResultsAndTheReferenceHoldout) {
  RegisterBaseline(/*noise=*/true);
  const int shown = PlayUsers(0, 300, /*garbage=*/false);
  PlayUsers(300, 350, /*garbage=*/false, /*explored=*/true);  // 50 < 100 lists
  const auto out = RunTraining(kFallback, Options(shown, shown * 8 / 9));
  ASSERT_FALSE(out.is_null());
  EXPECT_EQ(out["data"]["holdout"], "reference");
  EXPECT_EQ(out["data"]["explored_lists"], 50);
  EXPECT_EQ(out["gate"]["holdout_rows"], 800);
  EXPECT_TRUE(out.contains("shown"));
}

TEST(TrainRowCount, UsesEightThousandOfNineThousandElseTheSameShare) {
  TrainingDataOptions options;
  EXPECT_EQ(TrainRowCount(9000, options), 8000);
  EXPECT_EQ(TrainRowCount(20000, options), 8000);
  EXPECT_EQ(TrainRowCount(900, options), 800);
  EXPECT_EQ(TrainRowCount(1, options), 0);
}

TEST_F(TrainingTaskTest, AnIdThatIsNotAUuidIsRefusedBeforeAnythingIsWritten) {
  RegisterBaseline(/*noise=*/false);
  PlayUsers(0, 50, /*garbage=*/false);
  const auto baseline_before = store_->GetModel("baseline");
  ASSERT_TRUE(baseline_before.ok() && baseline_before->has_value());
  ModelPool pool(*store_, {}, dir_);
  ASSERT_TRUE(pool.Refresh().ok());
  TrainingOptions options = Options(400, 350);
  options.models_dir = dir_ / "data" / "models";
  std::filesystem::create_directories(options.models_dir);
  TrainingTask task(*store_, pool, options);
  const std::string absolute = (dir_ / "absolute-x").string();
  const std::vector<std::string> ids = {"../../escape-x",
                                        absolute,
                                        "baseline",
                                        "",
                                        "00000000-0000-4000-8000-00000000000/",
                                        "00000000-0000-4000-8000-000000000001/.."};
  for (const std::string& id : ids) {
    queue::TaskMessage message;
    message.id = id;
    message.task = std::string(queue::kTrainingTask);
    auto result = task.Run(message);
    ASSERT_FALSE(result.ok()) << id;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << id;
    EXPECT_NE(result.error().message.find("must be a UUID"), std::string::npos) << id;
    if (id != "baseline") {
      EXPECT_FALSE(store_->GetModel(id)->has_value()) << id << ": no row";
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "escape-x"));
  EXPECT_FALSE(std::filesystem::exists(absolute));
  EXPECT_TRUE(std::filesystem::is_empty(options.models_dir)) << "no folder under models_dir";
  const auto baseline_after = store_->GetModel("baseline");
  ASSERT_TRUE(baseline_after.ok() && baseline_after->has_value());
  EXPECT_EQ((*baseline_after)->status, (*baseline_before)->status);
  EXPECT_EQ((*baseline_after)->path, (*baseline_before)->path);
  EXPECT_EQ(store_->ListModels()->size(), 1u) << "only the baseline is registered";
}

}  // namespace
}  // namespace mlprod::tasks
