// A process's claim on one named store lease (the leases table, schema migration 8) for a
// background job that one process per database runs: the retraining trigger, the sweeper, data
// retention. Takes or renews it, logs when this process becomes or stops being the owner, and
// gives it back. Not the job. Not thread-safe: the job's own mutex guards it.
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"
#include "store/coordination_store.h"

namespace mlprod::tasks {

class JobLease {
 public:
  // `job` names it in log lines ("sweeper"). An empty holder becomes "<pid>@<host>/<8 hex>".
  JobLease(store::CoordinationStore& store, std::string name, std::string job, std::string holder,
           std::chrono::milliseconds ttl);
  ~JobLease();  // gives the lease back when this process holds it
  JobLease(const JobLease&) = delete;
  JobLease& operator=(const JobLease&) = delete;

  // Takes the lease when it is free or expired, renews it when this process holds it; true
  // when this process holds it now.
  Result<bool> Hold(std::chrono::system_clock::time_point now);

  const std::string& holder() const { return holder_; }

 private:
  store::CoordinationStore& store_;
  const std::string name_;
  const std::string job_;
  const std::string holder_;
  const std::chrono::milliseconds ttl_;
  bool owner_ = false;  // as of the last Hold, for logging changes only
};

}  // namespace mlprod::tasks
