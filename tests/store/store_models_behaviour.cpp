// The model registry part of the Store contract, run against every backend (instantiated in
// sqlite_store_test.cpp and postgres_store_test.cpp): registration, the lifecycle's one owner
// TransitionModel (compare-and-set, promotion retiring the previous model, history) and nulls.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

ModelTransition Move(const std::string& id, ModelState from, ModelState to) {
  return {.model_id = id, .from = from, .to = to, .reason = "test"};
}

TEST_P(StoreTest, PromotionRetiresThePreviousModelAndLeavesOneActive) {
  ModelRow base{.task_id = "baseline",
                .status = "promoted",
                .path = "models/baseline",
                .use_percentage = 1.0};
  base.test.auc = 0.7;
  ASSERT_TRUE(store_->RegisterModel(base).ok());
  ModelRow next{.task_id = "train-1", .status = "candidate", .path = "models/train-1"};
  next.test.auc = 0.8;
  next.train.f1 = 0.55;
  ASSERT_TRUE(store_->RegisterModel(next).ok());
  ASSERT_TRUE(store_->RegisterModel({.task_id = "train-2", .status = "rejected"}).ok());

  ASSERT_TRUE(store_
                  ->TransitionModel({.model_id = "train-1",
                                     .from = ModelState::kCandidate,
                                     .to = ModelState::kPromoted,
                                     .reason = "auc higher",
                                     .evidence = R"({"offline":{"rule":"r"}})"})
                  .ok());
  auto active = store_->ActiveModels();
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].task_id, "train-1");
  EXPECT_EQ((*active)[0].status, "promoted");
  EXPECT_EQ((*active)[0].reason, "auc higher");
  EXPECT_EQ((*active)[0].evidence, R"({"offline":{"rule":"r"}})");
  EXPECT_DOUBLE_EQ((*active)[0].use_percentage, 1.0);
  EXPECT_EQ((*active)[0].test.auc, 0.8);
  EXPECT_EQ((*active)[0].train.f1, 0.55);
  const auto old = *store_->GetModel("baseline");
  EXPECT_EQ(old->status, "retired");
  EXPECT_EQ(old->reason, "replaced by promoted model train-1");
  EXPECT_DOUBLE_EQ(old->use_percentage, 0.0);
  EXPECT_EQ(old->path, "models/baseline");
  auto history = store_->ListModelTransitions("baseline");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].from_state, "");
  EXPECT_EQ((*history)[0].to_state, "promoted");
  EXPECT_EQ((*history)[1].from_state, "promoted");
  EXPECT_EQ((*history)[1].to_state, "retired");
  EXPECT_TRUE(IsIsoTimestamp((*history)[1].time));
  EXPECT_EQ(store_->ListModels()->size(), 3u);
  EXPECT_TRUE(IsIsoTimestamp((*store_->GetModel("train-2"))->time_creation));
}

TEST_P(StoreTest, TransitionIsACompareAndSetOnTheFromState) {
  ASSERT_TRUE(store_->RegisterModel({.task_id = "m", .status = "pending"}).ok());
  ASSERT_TRUE(store_->TransitionModel(Move("m", ModelState::kPending, ModelState::kTraining)).ok());
  auto again = store_->TransitionModel(Move("m", ModelState::kPending, ModelState::kTraining));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_NE(again.error().message.find("is training, not pending"), std::string::npos)
      << again.error().message;
  EXPECT_EQ(store_->TransitionModel(Move("nope", ModelState::kPending, ModelState::kTraining))
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListModelTransitions("m")->size(), 2u) << "the refused one left no row";
}

TEST_P(StoreTest, ForbiddenAndManualOnlyTransitionsAreRefused) {
  ASSERT_TRUE(store_->RegisterModel({.task_id = "m", .status = "rejected"}).ok());
  auto automatic = store_->TransitionModel(Move("m", ModelState::kRejected, ModelState::kPromoted));
  ASSERT_FALSE(automatic.ok());
  EXPECT_EQ(automatic.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(automatic.error().message.find("manual"), std::string::npos);
  EXPECT_EQ(
      store_->TransitionModel(Move("m", ModelState::kRejected, ModelState::kFailed)).error().code,
      ErrorCode::kInvalidArgument);
  ModelTransition manual = Move("m", ModelState::kRejected, ModelState::kPromoted);
  manual.manual = true;
  ASSERT_TRUE(store_->TransitionModel(manual).ok());
  auto history = store_->ListModelTransitions("m");
  ASSERT_EQ(history->size(), 2u);
  EXPECT_TRUE(history->back().manual);
  EXPECT_FALSE(history->front().manual);
  EXPECT_DOUBLE_EQ((*store_->GetModel("m"))->use_percentage, 1.0);
}

TEST_P(StoreTest, OfTwoConcurrentPromotionsOfOneCandidateExactlyOneWins) {
  ASSERT_TRUE(
      store_->RegisterModel({.task_id = "old", .status = "promoted", .use_percentage = 1}).ok());
  ASSERT_TRUE(store_->RegisterModel({.task_id = "c", .status = "candidate"}).ok());
  auto other = OpenAnother();
  std::atomic<int> wins = 0, conflicts = 0;
  auto promote = [&](Store& s) {
    auto st = s.TransitionModel(Move("c", ModelState::kCandidate, ModelState::kPromoted));
    if (st.ok()) ++wins;
    if (!st.ok() && st.error().code == ErrorCode::kConflict) ++conflicts;
  };
  std::thread a([&] { promote(*store_); });
  std::thread b([&] { promote(*other); });
  a.join();
  b.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 1);
  EXPECT_EQ(store_->ListModelTransitions("c")->size(), 2u);
  EXPECT_EQ(store_->ActiveModels()->size(), 1u);
}

TEST_P(StoreTest, TransitionWritesMetricsAndNaNBecomesNull) {
  ASSERT_TRUE(store_->RegisterModel({.task_id = "m", .status = "training"}).ok());
  auto fresh = *store_->GetModel("m");
  EXPECT_FALSE(fresh->test.auc.has_value()) << "never measured: null, not 0.0";
  EXPECT_FALSE(fresh->train.acc.has_value());
  ModelTransition t = Move("m", ModelState::kTraining, ModelState::kCandidate);
  t.train = Metrics5{.acc = 0.9, .auc = 0.8, .pre = 0.7, .rec = 0.6, .f1 = 0.5};
  t.test = Metrics5{.acc = 0.4, .auc = std::nan(""), .pre = 0.3, .rec = 0.2, .f1 = 0.1};
  ASSERT_TRUE(store_->TransitionModel(t).ok());
  auto m = *store_->GetModel("m");
  EXPECT_EQ(m->train.auc, 0.8);
  EXPECT_EQ(m->test.f1, 0.1);
  EXPECT_FALSE(m->test.auc.has_value());
  EXPECT_EQ(m->status, "candidate");
}

TEST_P(StoreTest, RegisterNeverChangesAnExistingModelsStateOrShare) {
  ASSERT_TRUE(
      store_->RegisterModel({.task_id = "a", .status = "promoted", .use_percentage = 1}).ok());
  ModelRow again{.task_id = "a", .status = "pending", .path = "p2"};
  again.test.auc = 0.6;
  ASSERT_TRUE(store_->RegisterModel(again).ok());
  auto a = *store_->GetModel("a");
  EXPECT_EQ(a->status, "promoted");
  EXPECT_DOUBLE_EQ(a->use_percentage, 1.0);
  EXPECT_EQ(a->path, "p2");
  EXPECT_EQ(a->test.auc, 0.6);
  EXPECT_EQ(store_->ListModelTransitions("a")->size(), 1u);
  EXPECT_EQ(store_->RegisterModel({.task_id = "b", .status = "SUCCESS"}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_P(StoreTest, PromoteModelUsesTheTableAndRefusesUnfinishedModels) {
  ASSERT_TRUE(
      store_->RegisterModel({.task_id = "old", .status = "promoted", .use_percentage = 1}).ok());
  ASSERT_TRUE(store_->RegisterModel({.task_id = "t", .status = "training"}).ok());
  EXPECT_EQ(store_->PromoteModel("t").error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->PromoteModel("nope").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->RegisterModel({.task_id = "r", .status = "retired"}).ok());
  ASSERT_TRUE(store_->PromoteModel("r").ok());
  EXPECT_EQ((*store_->GetModel("old"))->status, "retired");
  EXPECT_TRUE(store_->ListModelTransitions("r")->back().manual);
  EXPECT_EQ(store_->ActiveModels()->size(), 1u);
}

TEST_P(StoreTest, UsePercentageSplitsTrafficWithoutTouchingOthers) {
  ASSERT_TRUE(
      store_->RegisterModel({.task_id = "a", .status = "promoted", .use_percentage = 1.0}).ok());
  ASSERT_TRUE(store_->RegisterModel({.task_id = "b", .status = "canary"}).ok());
  ASSERT_TRUE(store_->SetModelUsePercentage("a", 0.9).ok());
  ASSERT_TRUE(store_->SetModelUsePercentage("b", 0.1).ok());
  auto active = store_->ActiveModels();
  ASSERT_EQ(active->size(), 2u);
  EXPECT_DOUBLE_EQ((*store_->GetModel("a"))->use_percentage, 0.9);
  EXPECT_DOUBLE_EQ((*store_->GetModel("b"))->use_percentage, 0.1);
  EXPECT_EQ((*store_->GetModel("b"))->status, "canary");
  EXPECT_EQ(store_->SetModelUsePercentage("c", 0.5).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetModelUsePercentage("a", 1.5).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlprod::store::testing
