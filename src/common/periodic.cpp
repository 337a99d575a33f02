#include "common/periodic.h"

#include <utility>

namespace mlprod {

void Periodic::Start(std::chrono::milliseconds interval, std::function<void()> job) {
  thread_ = std::thread([this, interval, job = std::move(job)] {
    MutexLock lock(mu_);
    while (
        !cv_.wait_for(lock.native(), interval, [this]() MLPROD_REQUIRES(mu_) { return stop_; })) {
      lock.Unlock();
      job();
      lock.Lock();
    }
  });
}

void Periodic::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mlprod
