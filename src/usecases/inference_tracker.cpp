#include "usecases/inference_tracker.h"

namespace mlprod::usecases {

void InferenceTracker::Forget(std::size_t count) {
  if (metrics_ != nullptr && count > 0) {
    metrics_->active_inferences().Decrement(static_cast<double>(count));
  }
}

void InferenceTracker::Started(const std::string& task_id, Clock::time_point now) {
  MutexLock lock(mu_);
  if (pending_.size() >= kMaxTracked) {
    Forget(pending_.size());
    pending_.clear();
  }
  // At most one sweep a second; pending_ holds only the unanswered inferences, so it is short.
  if (now - last_sweep_ >= std::chrono::seconds(1)) {
    last_sweep_ = now;
    std::size_t dropped = 0;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (now - it->second >= forget_after_) {
        it = pending_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    Forget(dropped);
  }
  if (pending_.emplace(task_id, now).second && metrics_ != nullptr) {
    metrics_->active_inferences().Increment();
  }
}

void InferenceTracker::SeenReady(const std::string& task_id) {
  MutexLock lock(mu_);
  if (pending_.erase(task_id) > 0) Forget(1);
}

bool InferenceTracker::Pending(const std::string& task_id) const {
  MutexLock lock(mu_);
  return pending_.contains(task_id);
}

std::size_t InferenceTracker::active() const {
  MutexLock lock(mu_);
  return pending_.size();
}

}  // namespace mlprod::usecases
