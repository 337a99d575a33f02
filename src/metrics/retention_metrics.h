// store_retention_deleted_total{table}: rows the data retention job deleted, per table
// (inferences, results, users, events). Plain numbers in; not the job. Thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <cstdint>

namespace mlprod::metrics {

class RetentionMetrics {
 public:
  // Registers the family (all four series at 0) in `registry`, which must outlive this object.
  explicit RetentionMetrics(prometheus::Registry& registry);

  void Add(std::int64_t inferences, std::int64_t results, std::int64_t users, std::int64_t events);

 private:
  prometheus::Counter* inferences_;
  prometheus::Counter* results_;
  prometheus::Counter* users_;
  prometheus::Counter* events_;
};

}  // namespace mlprod::metrics
