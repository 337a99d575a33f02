#include "usecases/backpressure.h"

namespace mlprod::usecases {

bool QueueGate::Full() {
  if (max_queue_ <= 0) return false;
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.SteadyNow().time_since_epoch())
          .count();
  std::int64_t checked = checked_ns_.load(std::memory_order_relaxed);
  constexpr std::int64_t kRecheckNs = 100'000'000;
  // One caller per interval asks the broker; the others use the last answer.
  if ((checked == 0 || now - checked >= kRecheckNs) &&
      checked_ns_.compare_exchange_strong(checked, now)) {
    const long long depth = broker_.Depth();
    depth_.store(depth, std::memory_order_relaxed);
    if (metrics_) metrics_->SetQueueDepth(depth);
  }
  return depth_.load(std::memory_order_relaxed) >= max_queue_;
}

}  // namespace mlprod::usecases
