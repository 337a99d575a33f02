// The sweeper over the in-memory store (tests/fakes) and the in-process broker, on a clock the test
// moves: what it publishes again and when, that it holds off while the queue is long, that it
// bounds a sweep, that it records what the result backend holds as finished instead of publishing
// it, and that of two processes on one database only the lease holder sweeps.
#include "tasks/sweeper.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/uuid.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_store.h"
#include "queue/celery_result.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"
#include "tasks/queue_training.h"

namespace mlprod::tasks {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;

class SweeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = fakes::MemoryStore();
    ASSERT_TRUE(store_->Migrate().ok());  // migrated already: a second run changes nothing
    std::vector<Location> locations(1);
    locations[0].location_id = 1;
    ASSERT_TRUE(store_->LoadLocationsIfEmpty(locations).ok());
    start_ = clock_.Now();
  }
  std::string Accept() {
    const std::string task = "inf-" + NewUuid();
    auto uid = store_->StartInference(User{}, task);
    EXPECT_TRUE(uid.ok());
    users_[task] = *uid;
    return task;
  }
  SweeperOptions Options(const std::string& holder = "") {
    SweeperOptions o;
    o.sweep_after = seconds(60);
    o.holder = holder;
    o.clock = &clock_;
    return o;
  }
  // Takes every waiting message; their task ids, sorted, after checking name and argument.
  std::vector<std::string> Drain(std::string_view task_name = queue::kInferenceTask) {
    std::vector<std::string> ids;
    for (;;) {
      auto d = broker_.Next(std::chrono::milliseconds(0));
      EXPECT_TRUE(d.ok());
      if (!d.ok() || *d == nullptr) break;
      const queue::TaskMessage& m = (*d)->message();
      EXPECT_EQ(m.task, task_name);
      EXPECT_EQ(m.args, nlohmann::json::array({users_[m.id]})) << m.id;
      ids.push_back(m.id);
      EXPECT_TRUE((*d)->Ack().ok());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::unique_ptr<store::Store> store_;
  queue::InprocBroker broker_;
  Clock::time_point start_;
  mlprod::testing::FakeClock clock_;
  std::map<std::string, std::int64_t> users_;
};

TEST_F(SweeperTest, RepublishesRowsUnfinishedLongerThanSweepAfterOncePerInterval) {
  std::vector<std::string> lost = {Accept(), Accept()};
  std::sort(lost.begin(), lost.end());
  const std::string done = Accept();
  ASSERT_TRUE(store_->SaveResults(done, users_[done], "m", {{{1, 0.5}}}).ok());
  long long counted = 0;
  Sweeper sweeper(*store_, broker_, Options(), [&](long long n) { counted += n; });

  clock_.SetWall(start_ + seconds(30));  // not stale yet
  auto r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->owner);
  EXPECT_EQ(r->republished, 0);
  EXPECT_TRUE(Drain().empty());

  clock_.SetWall(start_ + seconds(61));
  r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->republished, 2);
  EXPECT_EQ(Drain(), lost);  // under their own task ids; the finished one never
  EXPECT_EQ(counted, 2);

  clock_.SetWall(start_ + seconds(100));  // published again 39 s ago: not again yet
  r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->republished, 0);

  clock_.SetWall(start_ + seconds(122));
  r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Drain(), lost);
  EXPECT_EQ(counted, 4);
  EXPECT_EQ((*store_->GetInference(lost[0]))->status, TaskState::kPending);
}

// A reference worker in a mixed fleet: results written, row left PENDING, SUCCESS (result null)
// in the backend. Publishing it again would run it twice; its state is recorded instead.
TEST_F(SweeperTest, RecordsTheStateOfRowsTheResultBackendHoldsAsFinished) {
  const std::string by_reference = Accept();
  const std::string failed = Accept();
  const std::string running = Accept();
  const std::string lost = Accept();
  queue::InprocResultBackend backend;
  ASSERT_TRUE(
      backend
          .Store({.task_id = by_reference, .state = queue::TaskState::kSuccess, .result = nullptr})
          .ok());
  ASSERT_TRUE(backend
                  .Store({.task_id = failed,
                          .state = queue::TaskState::kFailure,
                          .result = queue::FailureResult("ValueError", "boom", "builtins")})
                  .ok());
  ASSERT_TRUE(backend.Store({.task_id = running, .state = queue::TaskState::kStarted}).ok());
  SweeperOptions options = Options();
  options.backend = &backend;
  Sweeper sweeper(*store_, broker_, options);

  clock_.SetWall(start_ + seconds(61));
  auto r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->recorded, 2);
  EXPECT_EQ(r->republished, 2);
  std::vector<std::string> again = {running, lost};
  std::sort(again.begin(), again.end());
  EXPECT_EQ(Drain(), again);  // unfinished in the backend (or unknown to it): published
  EXPECT_EQ((*store_->GetInference(by_reference))->status, TaskState::kSuccess);
  EXPECT_EQ((*store_->GetInference(failed))->status, TaskState::kFailure);
  EXPECT_EQ((*store_->GetInference(running))->status, TaskState::kPending);

  clock_.SetWall(start_ + seconds(122));  // recorded rows are finished: never swept again
  r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->recorded, 0);
  EXPECT_EQ(Drain(), again);
}

TEST_F(SweeperTest, HoldsOffWhileTheQueueIsLongerThanMaxDepth) {
  const std::string lost = Accept();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(broker_.Publish(NewTaskMessage(queue::kTrainingTask, "test")).ok());
  }
  SweeperOptions o = Options();
  o.max_depth = 2;
  Sweeper sweeper(*store_, broker_, o);
  clock_.SetWall(start_ + seconds(61));
  auto r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->held_off);
  EXPECT_EQ(r->depth, 3);
  EXPECT_EQ(broker_.Depth(), 3);
  for (int i = 0; i < 2; ++i) {
    auto d = broker_.Next(std::chrono::milliseconds(0));
    ASSERT_TRUE(d.ok() && *d != nullptr);
    ASSERT_TRUE((*d)->Ack().ok());
  }
  r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->held_off);
  EXPECT_EQ(r->republished, 1);
  EXPECT_EQ(broker_.Depth(), 2);
}

TEST_F(SweeperTest, PublishesAtMostMaxPerSweepAndTheRestInLaterSweeps) {
  std::vector<std::string> lost;
  for (int i = 0; i < 5; ++i) lost.push_back(Accept());
  std::sort(lost.begin(), lost.end());
  SweeperOptions o = Options();
  o.max_per_sweep = 2;
  Sweeper sweeper(*store_, broker_, o);
  clock_.SetWall(start_ + seconds(61));
  std::vector<std::string> seen;
  for (long long want : {2, 2, 1, 0}) {
    auto r = sweeper.SweepOnce();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->republished, want);
    for (const std::string& id : Drain()) seen.push_back(id);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, lost);  // each once
}

// A fleet whose workers are the reference's 2022 layout rejects the mlprod.* names: the sweeper
// of an mlprod worker in it must publish under the names --task-names chose.
TEST_F(SweeperTest, RepublishesUnderTheConfiguredTaskNames) {
  const std::string lost = Accept();
  SweeperOptions o = Options();
  auto names = queue::ParseTaskNames("reference-2022");
  ASSERT_TRUE(names.ok());
  o.task_names = *names;
  Sweeper sweeper(*store_, broker_, o);
  clock_.SetWall(start_ + seconds(61));
  auto r = sweeper.SweepOnce();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->republished, 1);
  EXPECT_EQ(Drain("worker.tasks.inference.inference"), std::vector<std::string>{lost});
}

TEST_F(SweeperTest, OnlyTheLeaseHolderSweeps) {
  Accept();
  Sweeper first(*store_, broker_, Options("first"));
  Sweeper second(*store_, broker_, Options("second"));
  clock_.SetWall(start_ + seconds(61));
  auto a = first.SweepOnce();
  auto b = second.SweepOnce();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->owner);
  EXPECT_FALSE(b->owner);
  EXPECT_EQ(a->republished + b->republished, 1);
  EXPECT_EQ(broker_.Depth(), 1);
}

}  // namespace
}  // namespace mlprod::tasks
