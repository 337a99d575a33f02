#include "worker/delayed_deliveries.h"

namespace mlprod::worker {

void DelayedDeliveries::Push(TimePoint due, std::unique_ptr<queue::Delivery> delivery) {
  MutexLock lock(mu_);
  by_due_.emplace(due, std::move(delivery));
}

std::unique_ptr<queue::Delivery> DelayedDeliveries::PopDue(TimePoint now) {
  MutexLock lock(mu_);
  auto it = by_due_.begin();
  if (it == by_due_.end() || it->first > now) return nullptr;
  auto delivery = std::move(it->second);
  by_due_.erase(it);
  return delivery;
}

std::optional<DelayedDeliveries::TimePoint> DelayedDeliveries::NextDue() const {
  MutexLock lock(mu_);
  if (by_due_.empty()) return std::nullopt;
  return by_due_.begin()->first;
}

size_t DelayedDeliveries::Size() const {
  MutexLock lock(mu_);
  return by_due_.size();
}

void DelayedDeliveries::Clear() {
  std::multimap<TimePoint, std::unique_ptr<queue::Delivery>> released;
  {
    MutexLock lock(mu_);
    released.swap(by_due_);
  }
  // Destroyed outside the lock: requeueing calls into the broker.
}

}  // namespace mlprod::worker
