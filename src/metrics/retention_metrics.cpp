#include "metrics/retention_metrics.h"

namespace mlprod::metrics {

RetentionMetrics::RetentionMetrics(prometheus::Registry& registry) {
  auto& family = prometheus::BuildCounter()
                     .Name("store_retention_deleted_total")
                     .Help("Rows deleted by data retention (--retention-days), by table")
                     .Register(registry);
  inferences_ = &family.Add({{"table", "inferences"}});
  results_ = &family.Add({{"table", "results"}});
  users_ = &family.Add({{"table", "users"}});
  events_ = &family.Add({{"table", "events"}});
}

void RetentionMetrics::Add(std::int64_t inferences, std::int64_t results, std::int64_t users,
                           std::int64_t events) {
  inferences_->Increment(static_cast<double>(inferences));
  results_->Increment(static_cast<double>(results));
  users_->Increment(static_cast<double>(users));
  events_->Increment(static_cast<double>(events));
}

}  // namespace mlprod::metrics
