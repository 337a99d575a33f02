#include "metrics/exposition.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace mlprod::metrics {

Exposition::Exposition(std::shared_ptr<prometheus::Registry> registry, bool with_process_metrics)
    : registry_(std::move(registry)), with_process_metrics_(with_process_metrics) {}

std::string Exposition::Render() const {
  auto families = registry_->Collect();
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
