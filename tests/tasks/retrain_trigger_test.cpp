// The retraining trigger over the in-memory store (tests/fakes) and the in-process broker: what it
// queues, with which reason, and that of two processes on one database only the lease holder acts.
#include "tasks/retrain_trigger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <utility>

#include "common/time_util.h"
#include "common/uuid.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_store.h"
#include "queue/inproc/inproc_broker.h"
#include "tasks/queue_training.h"

namespace mlprod::tasks {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

class RetrainTriggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = fakes::MemoryStore();
    ASSERT_TRUE(store_->Migrate().ok());  // migrated already: a second run changes nothing
    std::vector<Location> locations(3);
    for (int i = 0; i < 3; ++i) locations[static_cast<size_t>(i)].location_id = i + 1;
    ASSERT_TRUE(store_->LoadLocationsIfEmpty(locations).ok());
    // The baseline an hour old, as a first start leaves it.
    store::ModelRow base{.task_id = "baseline", .status = "promoted", .use_percentage = 1.0};
    base.time_creation = FormatTimestamp(Clock::now() - std::chrono::hours(1)) + "Z";
    ASSERT_TRUE(store_->RegisterModel(base).ok());
  }
  void AnswerLists(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string task = "inf-" + NewUuid();
      auto uid = store_->StartInference(User{}, task);
      ASSERT_TRUE(uid.ok());
      std::vector<store::ScoredLocation> scores{{1, 0.9}, {2, 0.5}, {3, 0.1}};
      ASSERT_TRUE(store_->SaveResults(task, *uid, "baseline", scores).ok());
      ASSERT_TRUE(store_->TopResults(task, 3).ok());
      ASSERT_TRUE(i % 2 == 0 ? store_->RejectResults(task).ok()
                             : store_->SelectResult(task, 2).ok());
    }
  }
  static RetrainTriggerOptions Only(RetrainOptions rule) {
    RetrainTriggerOptions o;
    o.rule = rule;
    return o;
  }
  void Fail(const std::string& id) {
    ASSERT_TRUE(store_
                    ->TransitionModel({.model_id = id,
                                       .from = store::ModelState::kPending,
                                       .to = store::ModelState::kFailed,
                                       .reason = "not enough rows"})
                    .ok());
  }
  void PublishDrift(double psi) {
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
            .count();
    ASSERT_TRUE(store_
                    ->PublishDriftReport({.source = "worker-1",
                                          .model_id = "baseline",
                                          .max_psi = psi,
                                          .window_requests = 500,
                                          .window_size = 500,
                                          .updated_at_ms = now_ms})
                    .ok());
  }

  std::unique_ptr<store::Store> store_;
  queue::InprocBroker broker_;
};

TEST_F(RetrainTriggerTest, EnoughNewLabelsQueueOnePendingRunWithTheTriggersReason) {
  AnswerLists(3);
  std::vector<std::string> seen;
  RetrainTrigger trigger(*store_, broker_, Only({.labels = 3, .every = seconds(0), .drift_psi = 0}),
                         [&](const RetrainRecord& r) { seen.push_back(r.model_id); });
  auto first = trigger.CheckOnce();
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->decision.trigger, RetrainTriggerKind::kLabels);
  const std::string reason = "auto: 3 new labels since the last training (threshold 3)";
  EXPECT_EQ((*first)->decision.reason, reason);
  auto row = store_->GetModel((*first)->model_id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "pending");
  EXPECT_EQ((*row)->reason, reason);
  EXPECT_EQ(broker_.Depth(), 1);
  EXPECT_EQ(seen, std::vector<std::string>{(*first)->model_id});

  // In flight (and the new labels counted from the new run): nothing more.
  AnswerLists(3);
  auto second = trigger.CheckOnce();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  EXPECT_EQ(broker_.Depth(), 1);
}

TEST_F(RetrainTriggerTest, PublishesTheRunUnderTheConfiguredTrainingName) {
  PublishDrift(0.5);
  for (const auto& [preset, expected] :
       {std::pair{"mlprod", "mlprod.worker.tasks.train.training"},
        std::pair{"reference-2022", "worker.tasks.train.training"}}) {
    RetrainTriggerOptions o =
        Only({.labels = 0, .every = seconds(0), .drift_psi = 0.2, .min_gap = seconds(0)});
    auto names = queue::ParseTaskNames(preset);
    ASSERT_TRUE(names.ok());
    o.task_names = *names;
    RetrainTrigger trigger(*store_, broker_, o);
    auto queued = trigger.CheckOnce();
    ASSERT_TRUE(queued.ok()) << queued.error().message;
    ASSERT_TRUE(queued->has_value()) << preset;
    auto d = broker_.Next(std::chrono::milliseconds(0));
    ASSERT_TRUE(d.ok() && *d != nullptr) << preset;
    EXPECT_EQ((*d)->message().task, expected);
    EXPECT_EQ((*d)->message().id, (*queued)->model_id);
    ASSERT_TRUE((*d)->Ack().ok());
    Fail((*queued)->model_id);  // nothing in flight for the next preset
  }
}

TEST_F(RetrainTriggerTest, AFailedRunIsNotRetriedWithinTheMinimumGap) {
  mlprod::testing::FakeClock clock;
  const auto start = clock.Now();
  RetrainTriggerOptions o = Only({.labels = 0, .every = seconds(1), .drift_psi = 0});
  o.clock = &clock;
  RetrainTrigger trigger(*store_, broker_, o);
  auto first = trigger.CheckOnce();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->decision.trigger, RetrainTriggerKind::kSchedule);
  Fail((*first)->model_id);

  clock.SetWall(start + minutes(5));
  auto soon = trigger.CheckOnce();
  ASSERT_TRUE(soon.ok());
  EXPECT_FALSE(soon->has_value());
  clock.SetWall(start + minutes(11));
  auto later = trigger.CheckOnce();
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->has_value());
}

TEST_F(RetrainTriggerTest, FreshMajorDriftQueuesARunWhileMildDriftDoesNot) {
  PublishDrift(0.1);
  RetrainTrigger trigger(*store_, broker_, Only({.labels = 0, .every = seconds(0)}));
  auto mild = trigger.CheckOnce();
  ASSERT_TRUE(mild.ok()) << mild.error().message;
  EXPECT_FALSE(mild->has_value());
  PublishDrift(0.35);
  auto major = trigger.CheckOnce();
  ASSERT_TRUE(major.ok());
  ASSERT_TRUE(major->has_value());
  EXPECT_EQ((*major)->decision.trigger, RetrainTriggerKind::kDrift);
  EXPECT_NE((*major)->decision.reason.find("PSI 0.350"), std::string::npos);
}

TEST_F(RetrainTriggerTest, OfTwoProcessesOnOneDatabaseOnlyTheLeaseHolderQueues) {
  PublishDrift(0.5);
  // The second process shares the first one's store object: the lease is a row of the database,
  // and the two triggers hold it under holder names of their own, as two processes do.
  store::Store& other_store = *store_;
  const RetrainOptions rule{
      .labels = 0, .every = seconds(0), .drift_psi = 0.2, .min_gap = seconds(0)};
  auto first = std::make_unique<RetrainTrigger>(*store_, broker_, Only(rule));
  RetrainTrigger second(other_store, broker_, Only(rule));
  ASSERT_NE(first->holder(), second.holder());

  for (int round = 0; round < 3; ++round) {
    auto a = first->CheckOnce();
    ASSERT_TRUE(a.ok() && a->has_value()) << round;
    Fail((*a)->model_id);  // nothing in flight: only the lease stops the second one
    auto b = second.CheckOnce();
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_FALSE(b->has_value()) << round;
  }
  first.reset();  // gives the lease up
  auto b = second.CheckOnce();
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->has_value());
  EXPECT_EQ(broker_.Depth(), 4);
}

TEST_F(RetrainTriggerTest, AFailedPublishLeavesTheQueuedRunFailedNotPending) {
  broker_.Close();
  const queue::TaskMessage task = NewTaskMessage(queue::kTrainingTask, "1@test");
  Status st = QueueTraining(*store_, broker_, task, "auto: test");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(st.error().message, "Task queue unavailable, try again later");
  auto row = store_->GetModel(task.id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "failed");
  EXPECT_EQ((*row)->registered_reason, "auto: test");
  EXPECT_EQ((*row)->reason.rfind("publishing the task failed: ", 0), 0u) << (*row)->reason;
}

}  // namespace
}  // namespace mlprod::tasks
