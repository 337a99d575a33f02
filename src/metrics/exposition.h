// The Prometheus text exposition served at GET /metrics: every family of the shared registry
// (API, worker, drift, ... — whoever registered them) plus the process_* metrics and
// mlprod_ignored_errors_total (common/log.h, IgnoreError).
// Not an HTTP server. Thread-safe (the registry and collectors are).
#pragma once

#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "metrics/process_metrics.h"

namespace mlprod::metrics {

class Exposition {
 public:
  // with_process_metrics: also emit the process_* families read from /proc (default on).
  explicit Exposition(std::shared_ptr<prometheus::Registry> registry,
                      bool with_process_metrics = true);

  // Prometheus text format 0.0.4.
  std::string Render() const;

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  bool with_process_metrics_;
  ProcessMetrics process_;
};

}  // namespace mlprod::metrics
