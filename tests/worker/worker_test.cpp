#include "worker/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <thread>

#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"
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

TEST_F(WorkerTest, RunsTaskToSuccessAndAcks) {
  registry.Register(std::string(queue::kInferenceTask), [](const queue::TaskMessage& m) {
    return Result<json>(json{{"user_id", m.args.at(0)}});
  });
  auto worker = StartWorker();
  Publish(Task("t1", queue::kInferenceTask, json::array({42})));
  const auto r = WaitReady(backend, "t1");
  EXPECT_EQ(r.state, TaskState::kSuccess);
  EXPECT_EQ(r.result, (json{{"user_id", 42}}));
  EXPECT_FALSE(r.date_done.empty());
  worker->Stop();
  EXPECT_EQ(worker->Stats().succeeded, 1);
  EXPECT_EQ(worker->Stats().received, 1);
  EXPECT_EQ(broker.Depth(), 0);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, StoresStartedBeforeRunningHandler) {
  TaskState seen = TaskState::kPending;
  json started;
  registry.Register("mlprod.t", [&](const queue::TaskMessage& m) {
    auto r = backend.Get(m.id);
    seen = r->state;
    started = r->result;
    return Result<json>(nullptr);
  });
  auto worker = StartWorker();
  Publish(Task("t1", "mlprod.t"));
  EXPECT_EQ(WaitReady(backend, "t1").state, TaskState::kSuccess);
  EXPECT_EQ(seen, TaskState::kStarted);
  EXPECT_EQ(started["hostname"], "test@host");
  EXPECT_TRUE(started["pid"].is_number_integer());
}

TEST_F(WorkerTest, AcceptsLegacyTaskName) {
  registry.Register(std::string(queue::kTrainingTask),
                    [](const queue::TaskMessage&) { return Result<json>(json("trained")); });
  auto worker = StartWorker();
  Publish(Task("t1", queue::kLegacyTrainingTask));
  EXPECT_EQ(WaitReady(backend, "t1").result, "trained");
}

TEST_F(WorkerTest, RecordsErrorAsFailureWithItsMessage) {
  registry.Register("mlprod.t", [](const queue::TaskMessage&) -> Result<json> {
    return MakeError(ErrorCode::kNotFound, "user 42 does not exist");
  });
  auto worker = StartWorker();
  Publish(Task("t1", "mlprod.t"));
  const auto r = WaitReady(backend, "t1");
  EXPECT_EQ(r.state, TaskState::kFailure);
  EXPECT_EQ(r.result["exc_type"], "LookupError");
  EXPECT_EQ(r.result["exc_message"], json::array({"user 42 does not exist"}));
  EXPECT_EQ(r.result["exc_module"], "builtins");
  EXPECT_NE(r.traceback.find("user 42 does not exist"), std::string::npos);
  worker->Stop();
  EXPECT_EQ(worker->Stats().failed, 1);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, RecordsThrownExceptionAsFailure) {
  registry.Register("mlprod.t", [](const queue::TaskMessage&) -> Result<json> {
    throw std::runtime_error("boom");
  });
  auto worker = StartWorker();
  Publish(Task("t1", "mlprod.t"));
  const auto r = WaitReady(backend, "t1");
  EXPECT_EQ(r.state, TaskState::kFailure);
  EXPECT_EQ(r.result["exc_type"], "RuntimeError");
  EXPECT_EQ(r.result["exc_message"], json::array({"boom"}));
}

TEST_F(WorkerTest, RejectsUnknownTaskAndKeepsGoing) {
  registry.Register("mlprod.t", [](const queue::TaskMessage&) { return Result<json>(1); });
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> rejected;
  WorkerObserver observer;
  observer.on_rejected = [&](std::string_view task, std::string_view reason) {
    std::lock_guard lock(mu);
    rejected.push_back(std::string(task) + ": " + std::string(reason));
    cv.notify_all();
  };
  auto worker = StartWorker(observer);
  Publish(Task("poison", "evil.task"));
  Publish(Task("good", "mlprod.t"));
  EXPECT_EQ(WaitReady(backend, "good").state, TaskState::kSuccess);
  {
    // Two threads: the good task may finish before the other thread handles the poison one,
    // and a delivery taken while stopping goes back to the broker. Wait for the rejection.
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, seconds(30), [&] { return !rejected.empty(); }));
  }
  worker->Stop();
  EXPECT_EQ(backend.Get("poison")->state, TaskState::kPending);
  EXPECT_EQ(worker->Stats().rejected, 1);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0], "evil.task: unknown task name 'evil.task'");
  EXPECT_EQ(broker.Depth(), 0);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, RevokesExpiredTaskWithoutRunningIt) {
  std::atomic<int> runs{0};
  registry.Register("mlprod.t", [&](const queue::TaskMessage&) {
    ++runs;
    return Result<json>(1);
  });
  auto worker = StartWorker();
  auto m = Task("t1", "mlprod.t");
  m.expires = queue::FormatIsoTimestampUtc(clock.Now() - seconds(1));
  Publish(m);
  const auto r = WaitReady(backend, "t1");
  EXPECT_EQ(r.state, TaskState::kRevoked);
  EXPECT_EQ(r.result["exc_type"], "TaskRevokedError");
  EXPECT_EQ(r.result["exc_message"], json::array({"expired"}));
  worker->Stop();
  EXPECT_EQ(runs.load(), 0);
  EXPECT_EQ(worker->Stats().revoked, 1);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, HoldsTaskUntilItsEtaWithoutBlockingOthers) {
  threads = 1;  // so "later" is surely held before "now" runs
  registry.Register("mlprod.t", [](const queue::TaskMessage& m) { return Result<json>(m.id); });
  auto worker = StartWorker();
  auto later = Task("later", "mlprod.t");
  later.eta = queue::FormatIsoTimestampUtc(clock.Now() + seconds(3600));
  Publish(later);
  Publish(Task("now", "mlprod.t"));
  EXPECT_EQ(WaitReady(backend, "now").state, TaskState::kSuccess);
  EXPECT_EQ(backend.Get("later")->state, TaskState::kPending);
  EXPECT_EQ(worker->Stats().delayed, 1);
  clock.Advance(seconds(3601));
  EXPECT_EQ(WaitReady(backend, "later").result, "later");
  worker->Stop();
  EXPECT_EQ(worker->Stats().delayed, 0);
  EXPECT_EQ(broker.Unacked(), 0);
}

TEST_F(WorkerTest, OverHardTimeLimitIsRecordedAsFailure) {
  registry.Register("mlprod.t", [this](const queue::TaskMessage&) {
    clock.Advance(milliseconds(20));  // the run takes 20 ms by the worker's clock
    return Result<json>(1);
  });
  auto worker = StartWorker();
  auto m = Task("t1", "mlprod.t");
  m.time_limit_hard = 0.001;
  Publish(m);
  const auto r = WaitReady(backend, "t1");
  EXPECT_EQ(r.state, TaskState::kFailure);
  EXPECT_EQ(r.result["exc_type"], "TimeLimitExceeded");
}

TEST_F(WorkerTest, ReportsOutcomeWithRunTimeAndQueueWait) {
  registry.Register("mlprod.t", [](const queue::TaskMessage&) { return Result<json>(1); });
  std::promise<TaskOutcome> got;
  std::once_flag once;
  WorkerObserver observer;
  observer.on_task_done = [&](const TaskOutcome& o) {
    std::call_once(once, [&] { got.set_value(o); });
  };
  auto worker = StartWorker(observer);
  Publish(Task("t1", "worker.t"));  // not registered under this name: rejected, no outcome
  Publish(Task("t2", "t"));         // the legacy alias of mlprod.t
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(seconds(30)), std::future_status::ready);
  const TaskOutcome o = future.get();
  EXPECT_EQ(o.task, "mlprod.t");
  EXPECT_EQ(o.task_id, "t2");
  EXPECT_EQ(o.state, TaskState::kSuccess);
  EXPECT_GE(o.run_seconds, 0.0);
  ASSERT_TRUE(o.queue_wait_seconds.has_value());
  EXPECT_GE(*o.queue_wait_seconds, 0.0);
}

TEST_F(WorkerTest, ManyTasksOnManyThreadsAllSucceed) {
  registry.Register("mlprod.t", [](const queue::TaskMessage& m) { return Result<json>(m.args); });
  auto worker = StartWorker();
  constexpr int kTasks = 2000;
  for (int i = 0; i < kTasks; ++i) Publish(Task(std::to_string(i), "mlprod.t", json::array({i})));
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_EQ(WaitReady(backend, std::to_string(i)).result, json::array({i}));
  }
  worker->Stop();
  EXPECT_EQ(worker->Stats().succeeded, kTasks);
  EXPECT_EQ(broker.Unacked(), 0);
}

}  // namespace
}  // namespace mlprod::worker
