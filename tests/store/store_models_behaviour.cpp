// The model registry part of the Store contract, run against every backend (instantiated in
// sqlite_store_test.cpp and postgres_store_test.cpp).
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

TEST_P(StoreTest, PromotionLeavesExactlyOneActiveModel) {
  ModelRow base{.task_id = "baseline",
                .status = "baseline",
                .path = "models/baseline",
                .use_percentage = 1.0};
  base.test.auc = 0.7;
  ASSERT_TRUE(store_->RegisterModel(base).ok());
  ModelRow next{.task_id = "train-1", .status = "trained", .path = "models/train-1"};
  next.test.auc = 0.8;
  next.train.f1 = 0.55;
  ASSERT_TRUE(store_->RegisterModel(next).ok());
  ASSERT_TRUE(store_->RegisterModel({.task_id = "train-2", .status = "kept"}).ok());

  ASSERT_TRUE(store_->PromoteModel("train-1").ok());
  auto active = store_->ActiveModels();
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].task_id, "train-1");
  EXPECT_EQ((*active)[0].status, "promoted");
  EXPECT_DOUBLE_EQ((*active)[0].use_percentage, 1.0);
  EXPECT_DOUBLE_EQ((*active)[0].test.auc, 0.8);
  EXPECT_DOUBLE_EQ((*active)[0].train.f1, 0.55);
  EXPECT_DOUBLE_EQ((*store_->GetModel("baseline"))->use_percentage, 0.0);
  EXPECT_EQ((*store_->GetModel("baseline"))->path, "models/baseline");
  EXPECT_EQ(store_->PromoteModel("nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ActiveModels()->size(), 1u) << "a failed promotion changes nothing";
  EXPECT_EQ(store_->ListModels()->size(), 3u);
  EXPECT_TRUE(IsIsoTimestamp((*store_->GetModel("train-2"))->time_creation));
}

TEST_P(StoreTest, UsePercentageSplitsTrafficWithoutTouchingOthers) {
  ASSERT_TRUE(store_->RegisterModel({.task_id = "a", .use_percentage = 1.0}).ok());
  ASSERT_TRUE(store_->RegisterModel({.task_id = "b"}).ok());
  ASSERT_TRUE(store_->SetModelUsePercentage("a", 0.9).ok());
  ASSERT_TRUE(store_->SetModelUsePercentage("b", 0.1).ok());
  auto active = store_->ActiveModels();
  ASSERT_EQ(active->size(), 2u);
  EXPECT_DOUBLE_EQ((*store_->GetModel("a"))->use_percentage, 0.9);
  EXPECT_DOUBLE_EQ((*store_->GetModel("b"))->use_percentage, 0.1);
  EXPECT_EQ(store_->SetModelUsePercentage("c", 0.5).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetModelUsePercentage("a", 1.5).error().code, ErrorCode::kInvalidArgument);
  // Re-registering replaces status and metrics.
  ASSERT_TRUE(store_->RegisterModel({.task_id = "b", .status = "kept"}).ok());
  EXPECT_EQ((*store_->GetModel("b"))->status, "kept");
  EXPECT_EQ(store_->ListModels()->size(), 2u);
}

}  // namespace
}  // namespace mlprod::store::testing
