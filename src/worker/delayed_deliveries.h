// Deliveries held back until their Celery `eta` (a timer heap keyed by due time), so a task
// scheduled for later neither blocks a worker thread nor goes back to the broker in a hot loop.
// Held deliveries stay unacked, as Celery's worker does; destroying them requeues them.
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include "common/mutex.h"
#include "queue/broker.h"

namespace mlprod::worker {

class DelayedDeliveries {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  void Push(TimePoint due, std::unique_ptr<queue::Delivery> delivery);
  // The earliest delivery due at or before `now`, or nullptr.
  std::unique_ptr<queue::Delivery> PopDue(TimePoint now);
  // When the earliest held delivery is due.
  std::optional<TimePoint> NextDue() const;
  size_t Size() const;
  // Releases every held delivery (each goes back to its broker).
  void Clear();

 private:
  mutable Mutex mu_;
  std::multimap<TimePoint, std::unique_ptr<queue::Delivery>> by_due_ MLPROD_GUARDED_BY(mu_);
};

}  // namespace mlprod::worker
