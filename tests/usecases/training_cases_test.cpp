// The training and model use cases over the in-memory store (tests/fakes), the in-process broker
// and result backend: one training at a time, its status from the model row when the backend has
// none, and the refusals of a traffic override.
#include "usecases/training_cases.h"

#include <gtest/gtest.h>

#include "fakes/memory_store.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"

namespace mlprod::usecases {
namespace {

class TrainingCasesTest : public ::testing::Test {
 protected:
  TrainingCases Cases() {
    return TrainingCases({.store = *store_,
                          .broker = broker_,
                          .backend = backend_,
                          .task_name = "mlprod.t.training",
                          .data_dir = {}});
  }
  long long Queued() { return broker_.Depth(); }

  std::unique_ptr<store::Store> store_ = fakes::MemoryStore();
  queue::InprocBroker broker_;
  queue::InprocResultBackend backend_;
};

TEST_F(TrainingCasesTest, ASecondStartAnswersWithTheQueuedRun) {
  TrainingCases cases = Cases();
  auto first = cases.Start("test");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->already.has_value());
  EXPECT_EQ(Queued(), 1);
  auto second = cases.Start("test again");
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->already.has_value());
  EXPECT_EQ(second->task_id, first->task_id);
  EXPECT_EQ(second->already->status, "pending");
  EXPECT_EQ(Queued(), 1);  // nothing more queued
}

TEST_F(TrainingCasesTest, StatusComesFromTheModelRowWhenTheBackendHasNone) {
  TrainingCases cases = Cases();
  auto started = cases.Start("test");
  ASSERT_TRUE(started.ok());
  auto status = cases.Status(started->task_id);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->found);
  EXPECT_EQ(status->state, TaskState::kPending);
  ASSERT_TRUE(status->model.has_value());
  EXPECT_EQ(status->model->reason, "test");
  auto unknown = cases.Status("0190f9ea-b9dc-7000-8000-000000000000");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->found);
}

TEST_F(TrainingCasesTest, TrafficGoesOnlyToAKnownTrainedModel) {
  TrainingCases cases = Cases();
  auto missing = cases.SetTraffic("nope", 0.5);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->refused, OverrideRefusal::kNotFound);
  auto started = cases.Start("test");
  ASSERT_TRUE(started.ok());
  auto pending = cases.SetTraffic(started->task_id, 0.5);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->refused, OverrideRefusal::kRefused);
  EXPECT_NE(pending->message.find("only a trained model"), std::string::npos) << pending->message;
  EXPECT_FALSE(pending->details.has_value());
}

}  // namespace
}  // namespace mlprod::usecases
