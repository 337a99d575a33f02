#include "tasks/model_folders.h"

#include <gtest/gtest.h>

#include "tasks/task_fixture.h"

namespace mlprod::tasks {
namespace {

using State = ModelsReadiness::State;

class ModelFoldersTest : public TaskFixture {};

TEST_F(ModelFoldersTest, AnActiveModelWithItsFolderIsReady) {
  RegisterBaseline(false);
  const auto r = JudgeModelFolders(*store_, dir_);
  EXPECT_EQ(r.state, State::kOk) << r.detail;
}

TEST_F(ModelFoldersTest, RelativePathsAreReadAgainstTheDataDir) {
  RegisterBaseline(false);
  ASSERT_TRUE(store_->SetModelPath("baseline", "models/baseline").ok());
  EXPECT_EQ(JudgeModelFolders(*store_, dir_).state, State::kOk);
  EXPECT_EQ(JudgeModelFolders(*store_, dir_ / "elsewhere").state, State::kUnavailable);
}

TEST_F(ModelFoldersTest, WithTheActiveFolderGoneAnotherServedModelIsAFallback) {
  RegisterBaseline(false);
  ASSERT_TRUE(store_->SetModelUsePercentage("baseline", 0).ok());
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "gone",
                                   .status = "promoted",
                                   .path = (dir_ / "models" / "gone").string(),
                                   .use_percentage = 1.0})
                  .ok());
  const auto r = JudgeModelFolders(*store_, dir_);
  EXPECT_EQ(r.state, State::kFallback);
  EXPECT_NE(r.detail.find("every active model is missing (gone)"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("baseline"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find(dir_.string()), std::string::npos) << "no paths in the answer";
}

TEST_F(ModelFoldersTest, NoFolderAtAllIsNotReadyAndSaysWhy) {
  RegisterBaseline(false);
  std::filesystem::remove_all(dir_ / "models" / "baseline");
  const auto r = JudgeModelFolders(*store_, dir_);
  EXPECT_EQ(r.state, State::kUnavailable);
  EXPECT_NE(r.detail.find("every active model is missing (baseline)"), std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find("no worker can run inference"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace mlprod::tasks
