// The standard `process_*` metrics (resident memory, CPU seconds, open fds, start time, ...)
// read from /proc/self at scrape time. Linux only; other systems yield no samples.
// Stateless apart from the page size; Collect is thread-safe.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace mlprod::metrics {

class ProcessMetrics : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace mlprod::metrics
