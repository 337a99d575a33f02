#include "tasks/sweeper.h"

#include <spdlog/spdlog.h>

#include "tasks/queue_training.h"
#include "tasks/recovery.h"

namespace mlprod::tasks {

Sweeper::Sweeper(store::Store& store, queue::Broker& broker, SweeperOptions options,
                 std::function<void(long long)> on_republished)
    : store_(store),
      broker_(broker),
      options_(std::move(options)),
      on_republished_(std::move(on_republished)),
      origin_(ProcessOrigin()),
      lease_(store, kSweeperLease, "sweeper", options_.holder, options_.lease_ttl) {}

Sweeper::~Sweeper() {
  periodic_.Stop();
  MutexLock sweep(sweep_mu_);  // a SweepOnce of another thread ends before the lease goes
}

Result<SweepReport> Sweeper::SweepOnce() {
  MutexLock sweep(sweep_mu_);
  SweepReport report;
  const auto now = options_.clock->Now();
  auto held = lease_.Hold(now);
  if (!held.ok()) return held.error();
  report.owner = *held;
  if (!report.owner) return report;
  report.depth = broker_.Depth();
  report.held_off = report.depth < 0 || report.depth > options_.max_depth;
  if (report.held_off != held_off_) {
    if (report.held_off) {
      spdlog::info(
          "sweeper: holding off while the queue holds {} messages (more than {})",
          report.depth < 0 ? std::string("an unknown number of") : std::to_string(report.depth),
          options_.max_depth);
    } else {
      spdlog::info("sweeper: queue down to {} messages, sweeping again", report.depth);
    }
    held_off_ = report.held_off;
  }
  if (report.held_off) return report;

  RecoveryReport requeued;
  const RequeueScope scope{.older_than = now - options_.sweep_after,
                           .max_rows = options_.max_per_sweep,
                           .touch_at = now,
                           .backend = options_.backend};
  MLPROD_RETURN_IF_ERROR(
      RequeueUnfinishedInferences(store_, broker_, origin_, scope, options_.task_names, requeued));
  report.republished = requeued.inferences_requeued;
  report.failed = requeued.inferences_failed;
  report.recorded = requeued.inferences_recorded;
  if (report.recorded > 0) {
    spdlog::info(
        "sweeper: {} unfinished inferences were finished in the result backend: state "
        "recorded, not published again",
        report.recorded);
  }
  if (report.republished + report.failed > 0) {
    spdlog::info(
        "sweeper: {} inferences unfinished for more than {} s published again ({} without a "
        "user failed; queue depth was {})",
        report.republished, options_.sweep_after.count() / 1000.0, report.failed, report.depth);
  }
  if (report.republished > 0 && on_republished_) on_republished_(report.republished);
  return report;
}

void Sweeper::Start(std::chrono::milliseconds interval) {
  periodic_.Start(interval, [this] {
    if (auto r = SweepOnce(); !r.ok()) spdlog::warn("sweeper: {}", r.error().message);
  });
}

}  // namespace mlprod::tasks
