// The inference use cases over the in-memory store (tests/fakes), the in-process broker and
// result backend: what Start writes and publishes, its two refusals, how Status reconciles the
// backend with the row, and one answer per task.
#include "usecases/inference_cases.h"

#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "fakes/memory_store.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"

namespace mlprod::usecases {
namespace {

class InferenceCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Location> locations(3);
    for (int i = 0; i < 3; ++i) locations[i].location_id = i + 1;
    ASSERT_TRUE(store_->LoadLocationsIfEmpty(locations).ok());
  }
  InferenceCases Cases(long long max_queue = 0) {
    return InferenceCases({.store = *store_,
                           .broker = broker_,
                           .backend = backend_,
                           .task_name = "mlprod.t.inference",
                           .max_queue = max_queue,
                           .clock = &clock_});
  }
  // The task's message, taken off the queue.
  queue::TaskMessage Take() {
    auto d = broker_.Next(std::chrono::milliseconds(0));
    EXPECT_TRUE(d.ok() && *d != nullptr);
    queue::TaskMessage m = (*d)->message();
    EXPECT_TRUE((*d)->Ack().ok());
    return m;
  }

  testing::FakeClock clock_;
  std::unique_ptr<store::Store> store_ = fakes::MemoryStore();
  queue::InprocBroker broker_;
  queue::InprocResultBackend backend_;
};

TEST_F(InferenceCasesTest, StartWritesThePendingRowThenPublishesItsUser) {
  InferenceCases cases = Cases();
  auto started = cases.Start(User{});
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(started->outcome, StartOutcome::kStarted);
  auto row = store_->GetInference(started->task_id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, TaskState::kPending);
  const queue::TaskMessage m = Take();
  EXPECT_EQ(m.id, started->task_id);
  EXPECT_EQ(m.task, "mlprod.t.inference");
  EXPECT_EQ(m.args, nlohmann::json::array({(*row)->user_id}));
  EXPECT_EQ(cases.tracker().active(), 1u);
}

TEST_F(InferenceCasesTest, AFullQueueRefusesBeforeWritingAnything) {
  InferenceCases cases = Cases(/*max_queue=*/1);
  ASSERT_EQ(cases.Start(User{})->outcome, StartOutcome::kStarted);
  clock_.Advance(std::chrono::milliseconds(200));  // past the gate's 100 ms recheck
  auto refused = cases.Start(User{});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->outcome, StartOutcome::kQueueFull);
  EXPECT_TRUE(refused->task_id.empty());
  auto info = store_->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->users, 1);  // the first request's only
}

TEST_F(InferenceCasesTest, AFailedPublishLeavesTheRowFailedNotPending) {
  InferenceCases cases = Cases();
  broker_.Close();
  auto started = cases.Start(User{});
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->outcome, StartOutcome::kQueueDown);
  auto row = store_->GetInference(started->task_id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, TaskState::kFailure);
  EXPECT_EQ(cases.tracker().active(), 0u);
}

TEST_F(InferenceCasesTest, StatusOfAnUnknownTaskIsNotFound) {
  InferenceCases cases = Cases();
  auto status = cases.Status("0190f9ea-b9dc-7000-8000-000000000000", RowRead::kAlways);
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->found);
}

TEST_F(InferenceCasesTest, TheRowAnswersWhenTheBackendForgotAFinishedTask) {
  InferenceCases cases = Cases();
  auto started = cases.Start(User{});
  const queue::TaskMessage m = Take();
  ASSERT_TRUE(store_
                  ->SaveResults(m.id, m.args[0].get<std::int64_t>(), "baseline",
                                std::vector<store::ScoredLocation>{{1, 0.9}, {2, 0.5}})
                  .ok());
  // The backend never heard of it (an expired entry, a flushed Redis): the row's SUCCESS.
  auto status = cases.Status(started->task_id, RowRead::kAlways);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->found);
  EXPECT_EQ(status->state, TaskState::kSuccess);
  EXPECT_TRUE(status->ready);
  EXPECT_TRUE(status->recorded);
  EXPECT_EQ(cases.tracker().active(), 0u);  // seen ready
}

TEST_F(InferenceCasesTest, ALongPollDefersTheRowOfARunningTaskItStarted) {
  InferenceCases cases = Cases();
  auto started = cases.Start(User{});
  auto status = cases.Status(started->task_id, RowRead::kDeferrable);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->deferred);
  EXPECT_EQ(status->state, TaskState::kPending);
}

TEST_F(InferenceCasesTest, RecordStatusWritesTheAnsweredStateOnce) {
  InferenceCases cases = Cases();
  auto started = cases.Start(User{});
  ASSERT_TRUE(cases.RecordStatus(started->task_id, TaskState::kStarted).ok());
  EXPECT_EQ((*store_->GetInference(started->task_id))->status, TaskState::kStarted);
  auto status = cases.Status(started->task_id, RowRead::kAlways);
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->recorded);  // the backend says PENDING, the row STARTED
}

TEST_F(InferenceCasesTest, ResultsThenOneAnswerPerTask) {
  InferenceCases cases = Cases();
  auto started = cases.Start(User{});
  const queue::TaskMessage m = Take();
  EXPECT_FALSE(cases.Results("0190f9ea-b9dc-7000-8000-000000000000", 10)->has_value());
  auto none = cases.Results(m.id, 10);
  ASSERT_TRUE(none.ok() && none->has_value());
  EXPECT_TRUE((*none)->empty());  // the task exists, no rows yet
  ASSERT_TRUE(store_
                  ->SaveResults(m.id, m.args[0].get<std::int64_t>(), "baseline",
                                std::vector<store::ScoredLocation>{{1, 0.9}, {2, 0.5}})
                  .ok());
  auto rows = cases.Results(m.id, 10);
  ASSERT_TRUE(rows.ok() && rows->has_value());
  ASSERT_EQ((*rows)->size(), 2u);
  EXPECT_EQ((**rows)[0].location_id, 1);

  auto absent = cases.Answer(m.id, 3);  // no row of this task holds location 3
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->found);
  auto picked = cases.Answer(m.id, 2);
  ASSERT_TRUE(picked.ok()) << picked.error().message;
  EXPECT_TRUE(picked->found);
  ASSERT_TRUE(picked->row.has_value());
  EXPECT_EQ(picked->row->location_id, 2);
  EXPECT_TRUE(picked->feedback.counted);
  auto other = cases.Answer(m.id, -1);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(cases.Answer("0190f9ea-b9dc-7000-8000-000000000000", 1)->found);
}

}  // namespace
}  // namespace mlprod::usecases
