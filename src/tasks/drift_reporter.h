// Publishes this process's input drift (drift::DriftMonitor) into the store as one small
// DriftReport row, every few seconds off the request path, so the retraining trigger of any API
// process sharing the database sees the drift measured where inferences run. Not the monitor.
// Thread-safe: ReportOnce may run from any thread; Start runs it on a thread of its own.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/clock.h"
#include "common/periodic.h"
#include "common/result.h"
#include "drift/drift_monitor.h"
#include "store/coordination_store.h"

namespace mlprod::tasks {

// The report a snapshot makes: max PSI over the features (0 before PSI is computed).
store::DriftReport MakeDriftReport(const drift::DriftSnapshot& snapshot, std::string source,
                                   std::int64_t window_size, std::int64_t now_ms);

class DriftReporter {
 public:
  // source: unique among the processes sharing the database (the row's key). The monitor and
  // the store must outlive the reporter.
  DriftReporter(store::CoordinationStore& store, const drift::DriftMonitor& monitor,
                std::string source, std::int64_t window_size, const Clock& clock = SystemClock());
  ~DriftReporter();  // stops the thread of Start
  DriftReporter(const DriftReporter&) = delete;
  DriftReporter& operator=(const DriftReporter&) = delete;

  // Publishes the monitor's current snapshot, when its window holds any request.
  Status ReportOnce();
  void Start(std::chrono::milliseconds interval);

 private:
  store::CoordinationStore& store_;
  const Clock& clock_;  // the reports' time
  const drift::DriftMonitor& monitor_;
  std::string source_;
  std::int64_t window_size_;
  Periodic periodic_;  // last: stops first
};

}  // namespace mlprod::tasks
