// The worker's lane for long tasks (trainings) and what it reports as held back to the broker
// (the eta and lane deliveries that a broker's prefetch window must not count).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include "worker/worker.h"
#include "worker/worker_test_util.h"

namespace mlprod::worker {
namespace {

using nlohmann::json;
using queue::TaskState;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Task;
using testing::WaitReady;
using testing::WorkerTest;

constexpr const char* kTrain = "mlprod.train";
constexpr const char* kInfer = "mlprod.infer";

// An in-process broker that adds up what the worker reports held back.
class CountingBroker final : public queue::Broker {
 public:
  explicit CountingBroker(queue::Broker& inner) : inner_(inner) {}
  Status Publish(const queue::TaskMessage& m) override { return inner_.Publish(m); }
  Result<std::unique_ptr<queue::Delivery>> Next(milliseconds timeout) override {
    return inner_.Next(timeout);
  }
  long long Depth() override { return inner_.Depth(); }
  Status Ping() override { return inner_.Ping(); }
  void Close() override { inner_.Close(); }
  void AddHeld(long long delta) override { held += delta; }

  std::atomic<long long> held{0};

 private:
  queue::Broker& inner_;
};

template <typename F>
bool Eventually(F condition) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// Trainings that run until `release` is set, counting how many run at once.
struct BlockingTrainings {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> running{0};
  std::atomic<int> most{0};

  TaskHandler Handler() {
    return [this](const queue::TaskMessage& m) {
      const int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      released.wait();
      --running;
      return Result<json>(m.id);
    };
  }
};

TEST_F(WorkerTest, QueuedTrainingsLeaveTheThreadsToInferences) {
  lane_tasks = {kTrain};
  BlockingTrainings trainings;
  registry.Register(kTrain, trainings.Handler());
  registry.Register(kInfer, [](const queue::TaskMessage& m) { return Result<json>(m.id); });
  auto worker = StartWorker();
  for (int i = 0; i < 10; ++i) Publish(Task("train-" + std::to_string(i), kTrain));
  Publish(Task("infer", kInfer));

  EXPECT_EQ(WaitReady(backend, "infer").state, TaskState::kSuccess);
  EXPECT_TRUE(Eventually([&] { return worker->Stats().lane_waiting == 9; }));
  // The lane thread takes its training off the lane before the handler counts it as running.
  EXPECT_TRUE(Eventually([&] { return trainings.running.load() >= 1; }));
  EXPECT_EQ(trainings.running.load(), 1);
  trainings.release.set_value();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(WaitReady(backend, "train-" + std::to_string(i)).state, TaskState::kSuccess);
  }
  worker->Stop();
  EXPECT_EQ(trainings.most.load(), 1);  // one lane thread: one training at a time
  EXPECT_EQ(worker->Stats().succeeded, 11);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, LaneTasksWaitingAtStopGoBackToTheBroker) {
  lane_tasks = {kTrain};
  BlockingTrainings trainings;
  registry.Register(kTrain, trainings.Handler());
  auto worker = StartWorker();
  for (int i = 0; i < 3; ++i) Publish(Task("train-" + std::to_string(i), kTrain));
  ASSERT_TRUE(Eventually([&] { return worker->Stats().lane_waiting == 2; }));
  trainings.release.set_value();
  worker->Stop();
  // The running one finished; what had not started is queued again, not lost.
  EXPECT_EQ(broker.Depth() + worker->Stats().succeeded, 3);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, ReportsEtaAndLaneDeliveriesHeldBackToTheBroker) {
  lane_tasks = {kTrain};
  BlockingTrainings trainings;
  registry.Register(kTrain, trainings.Handler());
  registry.Register(kInfer, [](const queue::TaskMessage& m) { return Result<json>(m.id); });
  CountingBroker counting(broker);
  auto worker = StartWorkerOn(counting);
  for (int i = 0; i < 3; ++i) {
    auto later = Task("later-" + std::to_string(i), kInfer);
    later.eta = queue::FormatIsoTimestampUtc(clock.Now() + seconds(3600));
    Publish(later);
  }
  for (int i = 0; i < 2; ++i) Publish(Task("train-" + std::to_string(i), kTrain));
  // 3 eta tasks held, 1 training running (not held back: it is being worked on), 1 waiting.
  ASSERT_TRUE(Eventually([&] { return counting.held.load() == 4; })) << counting.held.load();
  clock.Advance(seconds(3601));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(WaitReady(backend, "later-" + std::to_string(i)).state, TaskState::kSuccess);
  }
  EXPECT_EQ(counting.held.load(), 1);
  trainings.release.set_value();
  EXPECT_EQ(WaitReady(backend, "train-1").state, TaskState::kSuccess);
  EXPECT_EQ(counting.held.load(), 0);
  worker->Stop();
  EXPECT_EQ(counting.held.load(), 0);
}

}  // namespace
}  // namespace mlprod::worker
