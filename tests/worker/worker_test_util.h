// Helpers for worker tests: a fixture with a real in-process broker and backend, a settable clock
// (fakes/fake_clock.h), waiting for a task to be ready through the real in-memory backend, and a
// task message builder. Test code only.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>

#include "fakes/fake_clock.h"
#include "queue/celery_time.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"
#include "queue/result_backend.h"
#include "queue/task.h"
#include "worker/worker.h"

namespace mlprod::worker::testing {

// Waits (up to a generous bound, only so a broken build does not hang) for a ready state.
inline queue::TaskResult WaitReady(queue::ResultBackend& backend, const std::string& id) {
  std::promise<queue::TaskResult> ready;
  auto future = ready.get_future();
  std::once_flag once;
  auto handle = backend.Watch(
      id, [&](const queue::TaskResult& r) { std::call_once(once, [&] { ready.set_value(r); }); });
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "task " << id << " never became ready";
    return {};
  }
  return future.get();
}

inline queue::TaskMessage Task(std::string id, std::string_view name,
                               nlohmann::json args = nlohmann::json::array()) {
  queue::TaskMessage m;
  m.id = std::move(id);
  m.task = std::string(name);
  m.args = std::move(args);
  m.root_id = m.id;
  return m;
}

// A broker, a backend and a registry, all real in-process ones.
class WorkerTest : public ::testing::Test {
 protected:
  WorkerOptions Options() {
    WorkerOptions o;
    o.threads = threads;
    o.poll_interval = std::chrono::milliseconds(5);
    o.error_backoff = std::chrono::milliseconds(5);
    o.hostname = "test@host";
    o.clock = &clock;
    o.lane_tasks = lane_tasks;
    return o;
  }
  std::unique_ptr<Worker> StartWorker(WorkerObserver observer = {}) {
    return StartWorkerOn(broker, std::move(observer));
  }
  std::unique_ptr<Worker> StartWorkerOn(queue::Broker& on, WorkerObserver observer = {}) {
    auto w = std::make_unique<Worker>(on, backend, registry, Options(), std::move(observer));
    w->Start();
    return w;
  }
  void Publish(const queue::TaskMessage& m) { ASSERT_TRUE(broker.Publish(m).ok()); }

  int threads = 2;
  std::vector<std::string> lane_tasks;
  mlprod::testing::FakeClock clock;
  queue::InprocBroker broker;
  queue::InprocResultBackend backend;
  TaskRegistry registry;
};

}  // namespace mlprod::worker::testing
