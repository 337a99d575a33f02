#include "tasks/drift_reporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mlprod::tasks {

store::DriftReport MakeDriftReport(const drift::DriftSnapshot& snapshot, std::string source,
                                   std::int64_t window_size, std::int64_t now_ms) {
  store::DriftReport r;
  r.source = std::move(source);
  r.model_id = snapshot.model_id;
  r.window_requests = static_cast<std::int64_t>(snapshot.window_requests);
  r.window_size = window_size;
  r.updated_at_ms = now_ms;
  if (snapshot.features) {
    for (const auto& f : *snapshot.features) r.max_psi = std::max(r.max_psi, f.psi);
  }
  return r;
}

DriftReporter::DriftReporter(store::CoordinationStore& store, const drift::DriftMonitor& monitor,
                             std::string source, std::int64_t window_size, const Clock& clock)
    : store_(store),
      clock_(clock),
      monitor_(monitor),
      source_(std::move(source)),
      window_size_(window_size) {}

DriftReporter::~DriftReporter() { periodic_.Stop(); }

Status DriftReporter::ReportOnce() {
  const drift::DriftSnapshot snapshot = monitor_.Snapshot();
  if (snapshot.window_requests == 0) return OkStatus();
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
          .count();
  return store_.PublishDriftReport(MakeDriftReport(snapshot, source_, window_size_, now_ms));
}

void DriftReporter::Start(std::chrono::milliseconds interval) {
  periodic_.Start(interval, [this] {
    if (auto st = ReportOnce(); !st.ok()) spdlog::warn("drift reporter: {}", st.error().message);
  });
}

}  // namespace mlprod::tasks
