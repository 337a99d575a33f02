#include "tasks/retrain_trigger.h"

#include <spdlog/spdlog.h>

#include "common/time_util.h"
#include "queue/task.h"
#include "tasks/queue_training.h"

namespace mlprod::tasks {
namespace {

bool InFlight(store::ModelState s) {
  return s == store::ModelState::kPending || s == store::ModelState::kTraining ||
         s == store::ModelState::kCandidate || s == store::ModelState::kCanary;
}

}  // namespace

RetrainTrigger::RetrainTrigger(store::Store& store, queue::Broker& broker,
                               RetrainTriggerOptions options,
                               std::function<void(const RetrainRecord&)> on_trigger)
    : store_(store),
      broker_(broker),
      options_(std::move(options)),
      on_trigger_(std::move(on_trigger)),
      origin_(ProcessOrigin()),
      lease_(store, kRetrainLease, "retrain trigger", options_.holder, options_.lease_ttl) {}

RetrainTrigger::~RetrainTrigger() {
  periodic_.Stop();
  MutexLock check(check_mu_);  // a CheckOnce of another thread ends before the lease goes
}

Result<RetrainInputs> RetrainTrigger::Gather(std::chrono::system_clock::time_point now) {
  RetrainInputs in;
  auto models = store_.ListModels();  // newest first
  if (!models.ok()) return models.error();
  for (const store::ModelRow& m : *models) {
    const auto state = m.state();
    if (state && InFlight(*state)) {
      in.in_flight = m.task_id;
      break;
    }
  }
  if (!models->empty()) {
    auto created = ParseTimestamp(models->front().time_creation);
    if (!created.ok()) return created.error();
    in.since_last_run = std::max(std::chrono::seconds(0),
                                 std::chrono::duration_cast<std::chrono::seconds>(now - *created));
  } else {
    in.since_last_run = std::chrono::seconds::max();
  }
  if (!in.in_flight.empty() || in.since_last_run < options_.rule.min_gap) return in;
  if (options_.rule.labels > 0) {
    auto labels = store_.CountAnswersSinceNewestModel();
    if (!labels.ok()) return labels.error();
    in.new_labels = *labels;
  }
  if (options_.rule.drift_psi > 0) {
    const std::int64_t now_ms = UnixMs(now);
    const auto max_age = options_.rule.drift_max_age;
    auto reports = store_.ListDriftReports(
        now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(max_age).count());
    if (!reports.ok()) return reports.error();
    in.drift = StrongestDrift(*reports, now_ms, max_age);
  }
  return in;
}

Result<std::optional<RetrainRecord>> RetrainTrigger::CheckOnce() {
  MutexLock check(check_mu_);
  const auto now = options_.clock->Now();
  auto held = lease_.Hold(now);
  if (!held.ok()) return held.error();
  if (!*held) return std::optional<RetrainRecord>{};
  auto in = Gather(now);
  if (!in.ok()) return in.error();
  auto decision = DecideRetrain(*in, options_.rule);
  if (!decision) return std::optional<RetrainRecord>{};
  const queue::TaskMessage task = NewTaskMessage(options_.task_names.training, origin_);
  MLPROD_RETURN_IF_ERROR(QueueTraining(store_, broker_, task, decision->reason));
  spdlog::info("retrain trigger {}: training task {} queued: {}",
               RetrainTriggerName(decision->trigger), task.id, decision->reason);
  RetrainRecord record{task.id, *decision};
  if (on_trigger_) on_trigger_(record);
  return std::optional<RetrainRecord>{record};
}

void RetrainTrigger::Start(std::chrono::milliseconds interval) {
  periodic_.Start(interval, [this] {
    if (auto r = CheckOnce(); !r.ok()) spdlog::warn("retrain trigger: {}", r.error().message);
  });
}

}  // namespace mlprod::tasks
