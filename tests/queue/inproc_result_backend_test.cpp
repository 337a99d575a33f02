#include "queue/inproc/inproc_result_backend.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "fakes/fake_clock.h"

namespace mlprod::queue {
namespace {

using mlprod::testing::FakeClock;
using std::chrono::seconds;

TaskResult Res(std::string id, TaskState state, nlohmann::json value = nullptr) {
  TaskResult r;
  r.task_id = std::move(id);
  r.state = state;
  r.result = std::move(value);
  return r;
}

TEST(InprocResultBackend, UnknownIdReadsPending) {
  InprocResultBackend b;
  auto r = b.Get("nope");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, TaskState::kPending);
  EXPECT_EQ(r->task_id, "nope");
}

TEST(InprocResultBackend, GetReturnsLatestStore) {
  InprocResultBackend b;
  ASSERT_TRUE(b.Store(Res("t", TaskState::kStarted)).ok());
  EXPECT_EQ(b.Get("t")->state, TaskState::kStarted);
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess, {{"scores", 3}})).ok());
  auto r = b.Get("t");
  EXPECT_EQ(r->state, TaskState::kSuccess);
  EXPECT_EQ(r->result["scores"], 3);
}

TEST(InprocResultBackend, RefusesResultWithoutId) {
  InprocResultBackend b;
  EXPECT_FALSE(b.Store(Res("", TaskState::kSuccess)).ok());
}

TEST(InprocResultBackend, WatchFiresOnceWhenTaskBecomesReady) {
  InprocResultBackend b;
  std::vector<TaskState> calls;
  auto h = b.Watch("t", [&](const TaskResult& r) { calls.push_back(r.state); });
  ASSERT_TRUE(b.Store(Res("t", TaskState::kStarted)).ok());
  EXPECT_TRUE(calls.empty());
  ASSERT_TRUE(b.Store(Res("t", TaskState::kFailure)).ok());
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess)).ok());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], TaskState::kFailure);
}

TEST(InprocResultBackend, WatchFiresImmediatelyWhenAlreadyReady) {
  InprocResultBackend b;
  ASSERT_TRUE(b.Store(Res("t", TaskState::kRevoked)).ok());
  int calls = 0;
  auto h = b.Watch("t", [&](const TaskResult& r) {
    EXPECT_EQ(r.state, TaskState::kRevoked);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess)).ok());
  EXPECT_EQ(calls, 1);
}

TEST(InprocResultBackend, DestroyedHandleIsNeverCalled) {
  InprocResultBackend b;
  int calls = 0;
  auto h = b.Watch("t", [&](const TaskResult&) { ++calls; });
  h.reset();
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess)).ok());
  EXPECT_EQ(calls, 0);
}

TEST(InprocResultBackend, ListenerMayDestroyItsOwnHandle) {
  InprocResultBackend b;
  std::unique_ptr<WatchHandle> h;
  int calls = 0;
  h = b.Watch("t", [&](const TaskResult&) {
    ++calls;
    h.reset();
  });
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess)).ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(h, nullptr);
}

TEST(InprocResultBackend, ListenerMayReadTheBackend) {
  InprocResultBackend b;
  TaskState seen = TaskState::kPending;
  auto h = b.Watch("t", [&](const TaskResult& r) { seen = b.Get(r.task_id)->state; });
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess)).ok());
  EXPECT_EQ(seen, TaskState::kSuccess);
}

TEST(InprocResultBackend, ResultsExpireAfterResultExpires) {
  FakeClock clock;
  InprocResultBackend b({.result_expires = seconds(3600), .shards = 4, .clock = &clock});
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess)).ok());
  clock.Advance(seconds(3599));
  EXPECT_EQ(b.Get("t")->state, TaskState::kSuccess);
  clock.Advance(seconds(1));
  EXPECT_EQ(b.Get("t")->state, TaskState::kPending);
  // A watcher of an expired result waits for a new one instead of firing.
  int calls = 0;
  auto h = b.Watch("t", [&](const TaskResult&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

// However fast results arrive, the backend holds at most max_results: the newest are there,
// the oldest read PENDING (the API then answers from the store's row), and a re-stored result
// is found in either generation.
TEST(InprocResultBackend, HoldsAtMostMaxResultsNewestFirst) {
  InprocResultBackend b({.shards = 1, .max_results = 100});
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(b.Store(Res(std::to_string(i), TaskState::kStarted)).ok());
    ASSERT_TRUE(b.Store(Res(std::to_string(i), TaskState::kSuccess)).ok());
    EXPECT_LE(b.Size(), 100u);
  }
  EXPECT_GE(b.Size(), 50u);
  EXPECT_EQ(b.Get("999")->state, TaskState::kSuccess);
  EXPECT_EQ(b.Get("950")->state, TaskState::kSuccess);
  EXPECT_EQ(b.Get("0")->state, TaskState::kPending);
  int calls = 0;
  auto h = b.Watch("960", [&](const TaskResult& r) { calls += r.state == TaskState::kSuccess; });
  EXPECT_EQ(calls, 1);
}

TEST(InprocResultBackend, StoreRenewsExpiryLikeSetex) {
  FakeClock clock;
  InprocResultBackend b({.result_expires = seconds(10), .shards = 1, .clock = &clock});
  ASSERT_TRUE(b.Store(Res("t", TaskState::kStarted)).ok());
  clock.Advance(seconds(8));
  ASSERT_TRUE(b.Store(Res("t", TaskState::kSuccess)).ok());
  clock.Advance(seconds(8));
  EXPECT_EQ(b.Get("t")->state, TaskState::kSuccess);
}

TEST(InprocResultBackend, ExpiredEntriesAreSweptOnLaterStores) {
  FakeClock clock;
  InprocResultBackend b({.result_expires = seconds(10), .shards = 1, .clock = &clock});
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(b.Store(Res(std::to_string(i), TaskState::kSuccess)).ok());
  EXPECT_EQ(b.Size(), 100u);
  clock.Advance(seconds(11));
  ASSERT_TRUE(b.Store(Res("new", TaskState::kSuccess)).ok());
  EXPECT_EQ(b.Size(), 1u);
}

TEST(InprocResultBackend, ConcurrentWatchersAllWakeExactlyOnce) {
  InprocResultBackend b;
  constexpr int kTasks = 200;
  std::atomic<int> fired{0};
  std::vector<std::unique_ptr<WatchHandle>> handles;
  for (int i = 0; i < kTasks; ++i) {
    handles.push_back(b.Watch(std::to_string(i), [&](const TaskResult&) { ++fired; }));
  }
  std::vector<std::thread> storers;
  for (int t = 0; t < 4; ++t) {
    storers.emplace_back([&, t] {
      for (int i = t; i < kTasks; i += 4) {
        ASSERT_TRUE(b.Store(Res(std::to_string(i), TaskState::kStarted)).ok());
        ASSERT_TRUE(b.Store(Res(std::to_string(i), TaskState::kSuccess)).ok());
        ASSERT_TRUE(b.Store(Res(std::to_string(i), TaskState::kSuccess)).ok());
      }
    });
  }
  for (auto& t : storers) t.join();
  EXPECT_EQ(fired.load(), kTasks);
}

}  // namespace
}  // namespace mlprod::queue
