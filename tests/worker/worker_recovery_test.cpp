// Worker recovery: graceful stop, redelivery after a crash, backend outages.
#include <gtest/gtest.h>

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

TEST_F(WorkerTest, StopReturnsEtaTasksToBroker) {
  threads = 1;
  registry.Register("mlprod.t", [](const queue::TaskMessage&) { return Result<json>(1); });
  auto worker = StartWorker();
  auto later = Task("later", "mlprod.t");
  later.eta = queue::FormatIsoTimestampUtc(clock.Now() + seconds(3600));
  Publish(later);
  Publish(Task("now", "mlprod.t"));
  WaitReady(backend, "now");
  ASSERT_EQ(worker->Stats().delayed, 1);
  worker->Stop();
  EXPECT_EQ(broker.Depth(), 1);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, GracefulStopFinishesInFlightTask) {
  std::promise<void> entered, release;
  auto release_future = release.get_future().share();
  registry.Register("mlprod.slow", [&](const queue::TaskMessage&) {
    entered.set_value();
    release_future.wait();
    return Result<json>("done");
  });
  auto worker = StartWorker();
  Publish(Task("t1", "mlprod.slow"));
  entered.get_future().wait();
  std::thread stopper([&] { worker->Stop(); });
  release.set_value();
  stopper.join();
  EXPECT_EQ(backend.Get("t1")->state, TaskState::kSuccess);
  EXPECT_EQ(broker.Unacked(), 0);
  EXPECT_EQ(broker.Depth(), 0);
  // Stopped means stopped: nothing published afterwards runs.
  Publish(Task("t2", "mlprod.slow"));
  EXPECT_EQ(broker.Depth(), 1);
}

TEST_F(WorkerTest, RedeliveredFinishedTaskIsAckedWithoutRunningAgain) {
  std::atomic<int> runs{0};
  registry.Register("mlprod.t", [&](const queue::TaskMessage&) {
    ++runs;
    return Result<json>(2);
  });
  queue::TaskResult done;
  done.task_id = "t1";
  done.state = TaskState::kSuccess;
  done.result = 1;
  ASSERT_TRUE(backend.Store(done).ok());
  Publish(Task("t1", "mlprod.t"));
  { auto crashed = broker.Next(milliseconds(1000)); }  // taken and lost: requeued, redelivered
  Publish(Task("t2", "mlprod.t"));
  auto worker = StartWorker();
  EXPECT_EQ(WaitReady(backend, "t2").result, 2);
  worker->Stop();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(backend.Get("t1")->result, 1);
  EXPECT_EQ(broker.Depth(), 0);
  EXPECT_EQ(broker.Unacked(), 0);
}

// Fails the first Store of a final state, as a Redis outage would.
class FlakyBackend : public queue::ResultBackend {
 public:
  explicit FlakyBackend(queue::ResultBackend& real) : real_(real) {}
  Status Store(const queue::TaskResult& r) override {
    if (queue::IsReady(r.state) && fail_next_.exchange(false)) {
      return MakeError(ErrorCode::kUnavailable, "backend down");
    }
    return real_.Store(r);
  }
  Result<queue::TaskResult> Get(const std::string& id) override { return real_.Get(id); }
  std::unique_ptr<queue::WatchHandle> Watch(
      const std::string& id, std::function<void(const queue::TaskResult&)> f) override {
    return real_.Watch(id, std::move(f));
  }
  Status Ping() override { return real_.Ping(); }

 private:
  queue::ResultBackend& real_;
  std::atomic<bool> fail_next_{true};
};

TEST_F(WorkerTest, RequeuesTaskWhenResultCannotBeStored) {
  std::atomic<int> runs{0};
  registry.Register("mlprod.t", [&](const queue::TaskMessage&) {
    ++runs;
    return Result<json>("ok");
  });
  FlakyBackend flaky(backend);
  Worker worker(broker, flaky, registry, Options());
  worker.Start();
  Publish(Task("t1", "mlprod.t"));
  EXPECT_EQ(WaitReady(backend, "t1").result, "ok");
  worker.Stop();
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, RequeuesTaskWhoseDependencyIsUnavailableInsteadOfFailingIt) {
  std::atomic<int> runs{0};
  registry.Register("mlprod.t", [&](const queue::TaskMessage&) -> Result<json> {
    if (++runs == 1) return MakeError(ErrorCode::kUnavailable, "database unavailable");
    return json("ok");
  });
  auto worker = StartWorker();
  Publish(Task("t1", "mlprod.t"));
  const auto r = WaitReady(backend, "t1");
  EXPECT_EQ(r.state, TaskState::kSuccess);
  EXPECT_EQ(r.result, "ok");
  worker->Stop();
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(worker->Stats().failed, 0);
  EXPECT_EQ(broker.Unacked(), 0);
}

}  // namespace
}  // namespace mlprod::worker
