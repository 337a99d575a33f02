// Whether the broker's queue is too long to accept another task (POST /inference/start's 503).
// The broker's depth is asked at most every 100 ms (a passive queue.declare round trip on
// RabbitMQ), so a burst overshoots by at most what arrives in that time. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "common/clock.h"
#include "metrics/api_metrics.h"
#include "queue/broker.h"

namespace mlprod::usecases {

class QueueGate {
 public:
  // max_queue 0: never full. metrics (nullable) gets the depth each time it is asked.
  QueueGate(queue::Broker& broker, long long max_queue, metrics::ApiMetrics* metrics,
            const Clock& clock)
      : broker_(broker), max_queue_(max_queue), metrics_(metrics), clock_(clock) {}
  bool Full();

 private:
  queue::Broker& broker_;
  const long long max_queue_;
  metrics::ApiMetrics* const metrics_;
  const Clock& clock_;
  std::atomic<long long> depth_{0};
  std::atomic<std::int64_t> checked_ns_{0};  // steady clock; 0 = never
};

}  // namespace mlprod::usecases
