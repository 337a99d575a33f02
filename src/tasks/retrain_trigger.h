// Retraining that runs itself: gathers the numbers of retrain_rule.h from the store (models,
// answers since the newest one, the drift reports of the inference processes) and queues a run
// through QueueTraining when DecideRetrain says so. Of several API processes sharing a database,
// only the holder of the store lease "retrain-trigger" acts. Not the rule. Thread-safe: CheckOnce
// may run from any thread; Start runs it periodically on a thread of its own.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/periodic.h"
#include "common/result.h"
#include "queue/broker.h"
#include "queue/task_names.h"
#include "store/store.h"
#include "tasks/job_lease.h"
#include "tasks/retrain_rule.h"

namespace mlprod::tasks {

inline constexpr const char* kRetrainLease = "retrain-trigger";

struct RetrainTriggerOptions {
  RetrainOptions rule;
  // The lease outlives a silent owner by this much before another process takes over.
  // Default: 30 s
  std::chrono::milliseconds lease_ttl = std::chrono::seconds(30);
  // Unique among the processes sharing the database. Default: "<pid>@<host>/<random>"
  std::string holder;
  // The training name runs are published under (--task-names). Default: the mlprod names
  queue::PublishedTaskNames task_names;
  // Wall time (leases and drift reports are in Unix ms); app/ passes its clock, tests a fake.
  const Clock* clock = &SystemClock();
};

struct RetrainRecord {
  std::string model_id;  // the queued run's task id
  RetrainDecision decision;
};

class RetrainTrigger {
 public:
  // on_trigger (may be empty) runs after each queued run, e.g. to count it in a metric.
  RetrainTrigger(store::Store& store, queue::Broker& broker, RetrainTriggerOptions options,
                 std::function<void(const RetrainRecord&)> on_trigger = {});
  ~RetrainTrigger();  // stops the thread of Start and gives the lease up
  RetrainTrigger(const RetrainTrigger&) = delete;
  RetrainTrigger& operator=(const RetrainTrigger&) = delete;

  // Takes or renews the lease; as its holder, decides and queues at most one run. nullopt
  // when this process is not the owner or nothing fired.
  Result<std::optional<RetrainRecord>> CheckOnce();
  // Runs CheckOnce every `interval` until destruction; errors are logged.
  void Start(std::chrono::milliseconds interval);

  const std::string& holder() const { return lease_.holder(); }

 private:
  Result<RetrainInputs> Gather(std::chrono::system_clock::time_point now);

  store::Store& store_;
  queue::Broker& broker_;
  RetrainTriggerOptions options_;
  std::function<void(const RetrainRecord&)> on_trigger_;
  std::string origin_;
  JobLease lease_;
  Mutex check_mu_;     // one CheckOnce at a time
  Periodic periodic_;  // last: stops first
};

}  // namespace mlprod::tasks
