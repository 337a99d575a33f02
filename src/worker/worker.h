// The task worker: N threads that take Celery task messages from a Broker, run the registered
// handler and record STARTED/SUCCESS/FAILURE/REVOKED in a ResultBackend, acknowledging only after
// the result is stored (acks late). Not the tasks themselves (tasks/). Thread-safe: Start/Stop
// from one owner thread; Stats and the observer callbacks from anywhere.
//
// Lanes: tasks named in `lane_tasks` (trainings) run only on `lane_threads` threads of their own,
// started besides `threads`; a general thread that receives one hands it over and goes on, so
// queued trainings never take the threads inferences need. Deliveries held back (eta, lane) are
// reported to the broker (Broker::AddHeld) so they never fill its prefetch window.
//
// Time limits: a C++ thread cannot be killed, so the hard limit is enforced after the fact: a
// task that ran longer than `timelimit[0]` is recorded as FAILURE TimeLimitExceeded (as Celery
// records a killed task) and acked; one longer than the soft limit only logs a warning. Handlers
// that must stop early read the limits from the TaskMessage.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "queue/broker.h"
#include "queue/result_backend.h"
#include "worker/delayed_deliveries.h"
#include "worker/task_lane.h"
#include "worker/task_registry.h"

namespace mlprod::worker {

struct WorkerOptions {
  // Threads running tasks. Default: 2.
  int threads = 2;
  // Longest a thread waits in Broker::Next before re-checking stop and due eta tasks; bounds
  // how long Stop takes when idle. Default: 100 ms.
  std::chrono::milliseconds poll_interval{100};
  // Pause after a broker or backend error, so an outage is not a hot loop. Default: 1000 ms.
  std::chrono::milliseconds error_backoff{1000};
  // `hostname` in STARTED results and log lines. Default (empty): "mlprod@<host name>".
  std::string hostname;
  // Canonical task names that run on the lane threads only. Default: none (no lane).
  std::vector<std::string> lane_tasks;
  // Threads of the lane, in addition to `threads` (used only when lane_tasks is not empty).
  // Default: 1, so at most one training runs at a time per worker.
  int lane_threads = 1;
  // Time for eta/expires, queue waits and run times; app/ passes its clock, tests a fake.
  const Clock* clock = &SystemClock();
};

// What happened to one task, for metrics.
struct TaskOutcome {
  std::string task;  // canonical task name
  std::string task_id;
  queue::TaskState state = queue::TaskState::kPending;  // SUCCESS, FAILURE or REVOKED
  double run_seconds = 0;                               // handler wall time (0 when it did not run)
  std::optional<double> queue_wait_seconds;             // publish (or eta) -> start, when known
};

// Optional callbacks, called on worker threads; they must be quick and thread-safe.
struct WorkerObserver {
  // Around the handler call of every task that runs (task is the canonical name).
  std::function<void(std::string_view task)> on_task_started;
  std::function<void(std::string_view task)> on_task_ended;
  std::function<void(const TaskOutcome&)> on_task_done;
  // A message dropped without running: unknown task name (reason says why).
  std::function<void(std::string_view task, std::string_view reason)> on_rejected;
};

struct WorkerStats {
  long long received = 0;
  long long succeeded = 0;
  long long failed = 0;
  long long revoked = 0;
  long long rejected = 0;
  long long in_flight = 0;     // running a handler right now
  long long delayed = 0;       // held until their eta
  long long lane_waiting = 0;  // received lane tasks waiting for a lane thread
};

class Worker {
 public:
  Worker(queue::Broker& broker, queue::ResultBackend& backend, const TaskRegistry& registry,
         WorkerOptions options = {}, WorkerObserver observer = {});
  ~Worker();  // Stop()
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the threads; call once.
  void Start();
  // Graceful: takes no new message, lets running tasks finish and store their results, hands
  // eta-held messages back to the broker, joins. Idempotent.
  void Stop();

  WorkerStats Stats() const;

 private:
  void Loop();
  void LaneLoop();
  bool InLane(const TaskRegistry::Entry& entry) const;
  void Handle(std::unique_ptr<queue::Delivery> delivery);
  void Execute(std::unique_ptr<queue::Delivery> delivery, const TaskRegistry::Entry& entry);
  bool Expired(const queue::TaskMessage& message, std::chrono::system_clock::time_point now);
  void Finish(std::unique_ptr<queue::Delivery> delivery, const queue::TaskResult& result,
              TaskOutcome outcome);
  void Backoff();
  std::chrono::system_clock::time_point Now() const;

  queue::Broker& broker_;
  queue::ResultBackend& backend_;
  const TaskRegistry& registry_;
  WorkerOptions options_;
  WorkerObserver observer_;
  DelayedDeliveries delayed_;
  TaskLane lane_;

  std::atomic<bool> stopping_{false};
  Mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::vector<std::thread> threads_;

  std::atomic<long long> received_{0}, succeeded_{0}, failed_{0}, revoked_{0}, rejected_{0},
      in_flight_{0};
};

}  // namespace mlprod::worker
