#include "worker/task_registry.h"

#include <gtest/gtest.h>

#include "queue/task_names.h"

namespace mlprod::worker {
namespace {

TaskHandler Returns(int v) {
  return [v](const queue::TaskMessage&) -> Result<nlohmann::json> { return nlohmann::json(v); };
}

TEST(TaskRegistry, FindsRegisteredNameAndItsLegacyAlias) {
  TaskRegistry r;
  r.Register(std::string(queue::kInferenceTask), Returns(1));
  r.Register(std::string(queue::kTrainingTask), Returns(2));
  const auto* inference = r.Find(queue::kLegacyInferenceTask);
  ASSERT_NE(inference, nullptr);
  EXPECT_EQ(inference->name, queue::kInferenceTask);
  EXPECT_EQ((*inference->handler)({}).value(), 1);
  const auto* training = r.Find(queue::kLegacyTrainingTask);
  ASSERT_NE(training, nullptr);
  EXPECT_EQ((*training->handler)({}).value(), 2);
  EXPECT_EQ(r.Find(queue::kTrainingTask)->handler, training->handler);
}

// What a publisher sends under any --task-names preset, a worker with the two tasks registered
// under their mlprod names runs: a mixed fleet loses no message to the names.
TEST(TaskRegistry, AnswersEveryPublishedTaskNamePreset) {
  TaskRegistry r;
  r.Register(std::string(queue::kInferenceTask), Returns(1));
  r.Register(std::string(queue::kTrainingTask), Returns(2));
  for (const char* preset : {"mlprod", "reference", "reference-2022"}) {
    auto names = queue::ParseTaskNames(preset);
    ASSERT_TRUE(names.ok()) << preset;
    const auto* inference = r.Find(names->inference);
    const auto* training = r.Find(names->training);
    ASSERT_NE(inference, nullptr) << preset;
    ASSERT_NE(training, nullptr) << preset;
    EXPECT_EQ((*inference->handler)({}).value(), 1) << preset;
    EXPECT_EQ((*training->handler)({}).value(), 2) << preset;
    EXPECT_EQ(training->name, queue::kTrainingTask) << preset;  // the training lane's key
  }
}

TEST(TaskRegistry, UnknownNameIsNotFound) {
  TaskRegistry r;
  r.Register("mlprod.a", Returns(1));
  EXPECT_EQ(r.Find("mlprod.b"), nullptr);
  EXPECT_EQ(r.Find("b"), nullptr);
  EXPECT_EQ(r.Find(""), nullptr);
}

TEST(TaskRegistry, ListsOnlyCanonicalNames) {
  TaskRegistry r;
  r.Register("mlprod.x", Returns(1));
  r.Register("plain", Returns(2));
  EXPECT_EQ(r.Names(), (std::vector<std::string>{"mlprod.x", "plain"}));
}

TEST(TaskRegistryDeathTest, DuplicateNameAborts) {
  TaskRegistry r;
  r.Register("mlprod.x", Returns(1));
  EXPECT_DEATH(r.Register("x", Returns(2)), "registered twice");
}

}  // namespace
}  // namespace mlprod::worker
