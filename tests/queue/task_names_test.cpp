#include "queue/task_names.h"

#include <gtest/gtest.h>

namespace mlprod::queue {
namespace {

TEST(TaskNames, DefaultAndEmptyPublishTheMlprodNames) {
  const PublishedTaskNames defaults;
  EXPECT_EQ(defaults.preset, "mlprod");
  EXPECT_EQ(defaults.inference, "mlprod.worker.tasks.inference.inference");
  EXPECT_EQ(defaults.training, "mlprod.worker.tasks.train.training");
  auto empty = ParseTaskNames("");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(*empty, defaults);
  auto mlprod = ParseTaskNames("mlprod");
  ASSERT_TRUE(mlprod.ok());
  EXPECT_EQ(*mlprod, defaults);
}

TEST(TaskNames, Reference2022PublishesTheNamesWithoutThePrefix) {
  auto names = ParseTaskNames("reference-2022");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names->preset, "reference-2022");
  EXPECT_EQ(names->inference, "worker.tasks.inference.inference");
  EXPECT_EQ(names->training, "worker.tasks.train.training");
}

TEST(TaskNames, ReferenceIsTheCurrentLayoutsMlprodNames) {
  auto names = ParseTaskNames("reference");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names->preset, "reference");
  EXPECT_EQ(names->inference, kInferenceTask);
  EXPECT_EQ(names->training, kTrainingTask);
}

TEST(TaskNames, UnknownValueIsAnErrorListingThePresets) {
  for (const char* bad : {"2022", "Reference-2022", "mlprod ", "worker.tasks", "celery"}) {
    auto names = ParseTaskNames(bad);
    ASSERT_FALSE(names.ok()) << bad;
    EXPECT_EQ(names.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(names.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << names.error().message;
    EXPECT_NE(names.error().message.find("mlprod, reference, reference-2022"), std::string::npos)
        << names.error().message;
  }
}

TEST(TaskNames, PresetListNamesEveryPreset) {
  EXPECT_EQ(TaskNamePresets(), "mlprod, reference, reference-2022");
}

}  // namespace
}  // namespace mlprod::queue
