#include "metrics/exposition.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "common/log.h"

namespace mlprod::metrics {
namespace {

prometheus::MetricFamily IgnoredErrorsFamily() {
  prometheus::MetricFamily family;
  family.name = "mlprod_ignored_errors_total";
  family.help =
      "Errors a caller could not act on (a best-effort compensation, a requeue on a lost "
      "connection, a lease given up at exit), logged and counted by site";
  family.type = prometheus::MetricType::Counter;
  for (const auto& [site, count] : IgnoredErrorCounts()) {
    prometheus::ClientMetric m;
    m.label.push_back({"site", site});
    m.counter.value = static_cast<double>(count);
    family.metric.push_back(std::move(m));
  }
  return family;
}

}  // namespace

Exposition::Exposition(std::shared_ptr<prometheus::Registry> registry, bool with_process_metrics)
    : registry_(std::move(registry)), with_process_metrics_(with_process_metrics) {}

std::string Exposition::Render() const {
  auto families = registry_->Collect();
  families.push_back(IgnoredErrorsFamily());
  if (with_process_metrics_) {
    auto process = process_.Collect();
    families.insert(families.end(), std::make_move_iterator(process.begin()),
                    std::make_move_iterator(process.end()));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace mlprod::metrics
