#include "worker/worker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "common/log.h"
#include "common/time_util.h"
#include "queue/celery_result.h"
#include "queue/celery_time.h"
#include "worker/task_failure.h"

namespace mlprod::worker {
namespace {

using queue::TaskResult;
using queue::TaskState;
using SysClock = std::chrono::system_clock;

std::string DefaultHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "mlprod@localhost";
  return std::string("mlprod@") + buf;
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Worker::Worker(queue::Broker& broker, queue::ResultBackend& backend, const TaskRegistry& registry,
               WorkerOptions options, WorkerObserver observer)
    : broker_(broker),
      backend_(backend),
      registry_(registry),
      options_(std::move(options)),
      observer_(std::move(observer)) {
  if (options_.threads < 1) {
    std::cerr << "fatal: Worker needs at least one thread\n";
    std::abort();
  }
  if (options_.hostname.empty()) options_.hostname = DefaultHostname();
  if (!options_.lane_tasks.empty() && options_.lane_threads < 1) {
    std::cerr << "fatal: a Worker lane needs at least one thread\n";
    std::abort();
  }
}

bool Worker::InLane(const TaskRegistry::Entry& entry) const {
  return std::find(options_.lane_tasks.begin(), options_.lane_tasks.end(), entry.name) !=
         options_.lane_tasks.end();
}

Worker::~Worker() { Stop(); }

void Worker::Start() {
  if (!threads_.empty() || stopping_) {
    std::cerr << "fatal: Worker::Start called twice\n";
    std::abort();
  }
  spdlog::info("worker {}: starting {} threads for tasks [{}]", options_.hostname, options_.threads,
               fmt::join(registry_.Names(), ", "));
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Loop(); });
  if (!options_.lane_tasks.empty()) {
    spdlog::info("worker {}: {} lane threads for [{}]", options_.hostname, options_.lane_threads,
                 fmt::join(options_.lane_tasks, ", "));
    for (int i = 0; i < options_.lane_threads; ++i) threads_.emplace_back([this] { LaneLoop(); });
  }
}

void Worker::Stop() {
  {
    MutexLock lock(stop_mu_);
    if (stopping_.exchange(true) && threads_.empty()) return;
  }
  stop_cv_.notify_all();
  lane_.Wake();
  for (auto& t : threads_) t.join();
  threads_.clear();
  const size_t held = delayed_.Size();
  delayed_.Clear();
  const size_t waiting = lane_.Clear();
  broker_.AddHeld(-static_cast<long long>(held + waiting));
  if (held + waiting > 0) {
    spdlog::info("worker {}: returned {} eta tasks and {} lane tasks to the broker",
                 options_.hostname, held, waiting);
  }
}

WorkerStats Worker::Stats() const {
  return WorkerStats{received_.load(),
                     succeeded_.load(),
                     failed_.load(),
                     revoked_.load(),
                     rejected_.load(),
                     in_flight_.load(),
                     static_cast<long long>(delayed_.Size()),
                     static_cast<long long>(lane_.Size())};
}

SysClock::time_point Worker::Now() const { return options_.clock->Now(); }

void Worker::Backoff() {
  MutexLock lock(stop_mu_);
  stop_cv_.wait_for(lock.native(), options_.error_backoff,
                    [this]() MLPROD_REQUIRES(stop_mu_) { return stopping_.load(); });
}

void Worker::Loop() {
  while (!stopping_) {
    const auto now = Now();
    if (auto due = delayed_.PopDue(now)) {
      broker_.AddHeld(-1);
      Handle(std::move(due));
      continue;
    }
    auto timeout = options_.poll_interval;
    if (auto next_due = delayed_.NextDue()) {
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next_due - now);
      timeout = std::clamp(until, std::chrono::milliseconds(1), timeout);
    }
    auto next = broker_.Next(timeout);
    if (!next.ok()) {
      if (stopping_) break;
      spdlog::warn("worker {}: broker unavailable: {}", options_.hostname, next.error().message);
      Backoff();
      continue;
    }
    if (!*next) continue;
    // A message taken while stopping is released unsettled, which requeues it.
    if (stopping_) break;
    ++received_;
    Handle(std::move(*next));
  }
}

void Worker::LaneLoop() {
  while (!stopping_) {
    TaskLane::Item item = lane_.Pop();
    if (!item.delivery) break;  // woken by Stop
    broker_.AddHeld(-1);
    // Taken while stopping: released unsettled, which requeues it.
    if (stopping_) break;
    Execute(std::move(item.delivery), *item.entry);
  }
}

bool Worker::Expired(const queue::TaskMessage& m, SysClock::time_point now) {
  if (!m.expires) return false;
  auto expires = queue::ParseIsoTimestamp(*m.expires);
  return expires.ok() && *expires <= now;
}

void Worker::Handle(std::unique_ptr<queue::Delivery> delivery) {
  const queue::TaskMessage& m = delivery->message();
  const TaskRegistry::Entry* entry = registry_.Find(m.task);
  if (entry == nullptr) {
    const std::string reason = "unknown task name '" + m.task + "'";
    spdlog::error("worker {}: rejecting task {}: {}", options_.hostname, m.id, reason);
    if (auto st = delivery->Reject(false); !st.ok()) {
      spdlog::warn("worker {}: reject of task {} failed: {}", options_.hostname, m.id,
                   st.error().message);
    }
    ++rejected_;
    if (observer_.on_rejected) observer_.on_rejected(m.task, reason);
    return;
  }
  const auto now = Now();
  if (Expired(m, now)) {
    spdlog::info("worker {}: task {} {} expired at {}, revoking", options_.hostname, entry->name,
                 m.id, *m.expires);
    TaskResult r;
    r.task_id = m.id;
    r.state = TaskState::kRevoked;
    r.result = queue::RevokedResult("expired");
    Finish(std::move(delivery), r, TaskOutcome{entry->name, m.id, TaskState::kRevoked, 0, {}});
    return;
  }
  if (m.eta) {
    auto eta = queue::ParseIsoTimestamp(*m.eta);
    if (eta.ok() && *eta > now) {
      spdlog::debug("worker {}: task {} held until its eta {}", options_.hostname, m.id, *m.eta);
      delayed_.Push(*eta, std::move(delivery));
      broker_.AddHeld(1);
      return;
    }
  }
  if (InLane(*entry)) {
    broker_.AddHeld(1);
    lane_.Push(std::move(delivery), *entry);
    return;
  }
  Execute(std::move(delivery), *entry);
}

void Worker::Execute(std::unique_ptr<queue::Delivery> delivery, const TaskRegistry::Entry& entry) {
  const queue::TaskMessage& m = delivery->message();
  if (delivery->redelivered()) {
    // Acks late means a crash between storing and acking redelivers a finished task.
    auto previous = backend_.Get(m.id);
    if (previous.ok() && queue::IsReady(previous->state)) {
      spdlog::info("worker {}: task {} {} redelivered but already {}, acking", options_.hostname,
                   entry.name, m.id, queue::TaskStateName(previous->state));
      if (auto st = delivery->Ack(); !st.ok()) {
        spdlog::warn("worker {}: ack of task {} failed: {}", options_.hostname, m.id,
                     st.error().message);
      }
      return;
    }
  }

  TaskOutcome outcome{entry.name, m.id, TaskState::kPending, 0, {}};
  const auto start_wall = Now();
  std::optional<SysClock::time_point> enqueued = delivery->published_at();
  if (m.eta) {
    if (auto eta = queue::ParseIsoTimestamp(*m.eta); eta.ok() && (!enqueued || *eta > *enqueued)) {
      enqueued = *eta;
    }
  }
  if (enqueued) outcome.queue_wait_seconds = std::max(0.0, Seconds(start_wall - *enqueued));

  TaskResult started;
  started.task_id = m.id;
  started.state = TaskState::kStarted;
  started.result = {{"pid", static_cast<long long>(getpid())}, {"hostname", options_.hostname}};
  if (auto st = backend_.Store(started); !st.ok()) {
    spdlog::warn("worker {}: could not record STARTED for task {}: {}", options_.hostname, m.id,
                 st.error().message);
  }

  ++in_flight_;
  if (observer_.on_task_started) observer_.on_task_started(entry.name);
  const auto t0 = options_.clock->SteadyNow();
  std::optional<Result<nlohmann::json>> ran;
  std::string thrown;
  try {
    ran.emplace((*entry.handler)(m));
  } catch (const std::exception& e) {
    thrown = e.what();
  } catch (...) {
    thrown = "unknown exception";
  }
  const double elapsed = Seconds(options_.clock->SteadyNow() - t0);
  --in_flight_;
  if (observer_.on_task_ended) observer_.on_task_ended(entry.name);
  outcome.run_seconds = elapsed;

  TaskResult result;
  if (m.time_limit_hard && elapsed > *m.time_limit_hard) {
    spdlog::error("worker {}: task {} {} ran {:.3f} s, over its hard time limit of {} s",
                  options_.hostname, entry.name, m.id, elapsed, *m.time_limit_hard);
    result = Failure(m, "TimeLimitExceeded", fmt::format("{}", *m.time_limit_hard),
                     "billiard.exceptions");
  } else if (!ran) {
    spdlog::error("worker {}: task {} {} threw: {}", options_.hostname, entry.name, m.id, thrown);
    result = Failure(m, "RuntimeError", thrown);
  } else if (!ran->ok() && (ran->error().code == ErrorCode::kUnavailable ||
                            ran->error().code == ErrorCode::kDeadlineExceeded)) {
    // A dependency (database, model store) is down: the task is not wrong, the moment is.
    // Requeue it for a later attempt instead of recording a FAILURE, so no accepted task is
    // lost to an outage; tasks are idempotent by id, so running again is safe.
    spdlog::warn("worker {}: task {} {} hit an unavailable dependency, requeueing: {}",
                 options_.hostname, entry.name, m.id, ran->error().message);
    // A requeue that fails means the broker connection is gone: the broker redelivers every
    // unsettled message of a lost connection by itself.
    IgnoreError("worker: requeue after an unavailable dependency", delivery->Reject(true));
    Backoff();
    return;
  } else if (!ran->ok()) {
    const Error& e = ran->error();
    spdlog::warn("worker {}: task {} {} failed ({}): {}", options_.hostname, entry.name, m.id,
                 ErrorCodeName(e.code), e.message);
    result = Failure(m, PythonExceptionFor(e.code), e.message);
  } else {
    result.task_id = m.id;
    result.state = TaskState::kSuccess;
    result.result = std::move(ran->value());
  }
  if (m.time_limit_soft && elapsed > *m.time_limit_soft &&
      !(m.time_limit_hard && elapsed > *m.time_limit_hard)) {
    spdlog::warn("worker {}: task {} {} ran {:.3f} s, over its soft time limit of {} s",
                 options_.hostname, entry.name, m.id, elapsed, *m.time_limit_soft);
  }
  outcome.state = result.state;
  Finish(std::move(delivery), result, std::move(outcome));
}

void Worker::Finish(std::unique_ptr<queue::Delivery> delivery, const TaskResult& result,
                    TaskOutcome outcome) {
  TaskResult stored = result;
  stored.date_done = FormatTimestamp(SysClock::now());
  if (auto st = backend_.Store(stored); !st.ok()) {
    // Without a stored result the task must run again: requeue rather than ack.
    spdlog::error("worker {}: could not store {} for task {}, requeueing: {}", options_.hostname,
                  queue::TaskStateName(result.state), result.task_id, st.error().message);
    IgnoreError("worker: requeue after the result backend failed", delivery->Reject(true));
    Backoff();
    return;
  }
  if (auto st = delivery->Ack(); !st.ok()) {
    spdlog::warn("worker {}: ack of task {} failed (it may run again): {}", options_.hostname,
                 result.task_id, st.error().message);
  }
  switch (result.state) {
    case TaskState::kSuccess:
      ++succeeded_;
      break;
    case TaskState::kRevoked:
      ++revoked_;
      break;
    default:
      ++failed_;
  }
  spdlog::debug("worker {}: task {} {} {} in {:.3f} s", options_.hostname, outcome.task,
                result.task_id, queue::TaskStateName(result.state), outcome.run_seconds);
  if (observer_.on_task_done) observer_.on_task_done(outcome);
}

}  // namespace mlprod::worker
