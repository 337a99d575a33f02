#include "common/periodic.h"

#include <utility>

namespace mlprod {

void Periodic::Start(std::chrono::milliseconds interval, std::function<void()> job) {
  thread_ = std::thread([this, interval, job = std::move(job)] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval, [this] { return stop_; })) {
      lock.unlock();
      job();
      lock.lock();
    }
  });
}

void Periodic::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mlprod
