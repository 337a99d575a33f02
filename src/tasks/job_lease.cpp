#include "tasks/job_lease.h"

#include <spdlog/spdlog.h>

#include "common/log.h"
#include "common/time_util.h"
#include "common/uuid.h"
#include "tasks/queue_training.h"

namespace mlprod::tasks {

JobLease::JobLease(store::CoordinationStore& store, std::string name, std::string job,
                   std::string holder, std::chrono::milliseconds ttl)
    : store_(store),
      name_(std::move(name)),
      job_(std::move(job)),
      holder_(holder.empty() ? ProcessOrigin() + "/" + NewUuid().substr(0, 8) : std::move(holder)),
      ttl_(ttl) {}

JobLease::~JobLease() {
  // Unreleased, the lease expires after its ttl and another process takes it then.
  if (owner_) IgnoreError("lease: giving up " + name_, store_.ReleaseLease(name_, holder_));
}

Result<bool> JobLease::Hold(std::chrono::system_clock::time_point now) {
  auto held = store_.AcquireLease(name_, holder_, UnixMs(now), ttl_.count());
  if (!held.ok()) return held.error();
  if (*held != owner_) {
    spdlog::info("{}: {} the owner ({})", job_, *held ? "this process is" : "no longer", holder_);
    owner_ = *held;
  }
  return *held;
}

}  // namespace mlprod::tasks
