#include "worker/task_lane.h"

namespace mlprod::worker {

void TaskLane::Push(std::unique_ptr<queue::Delivery> delivery, const TaskRegistry::Entry& entry) {
  {
    MutexLock lock(mu_);
    waiting_.push_back(Item{std::move(delivery), &entry});
  }
  cv_.notify_one();
}

TaskLane::Item TaskLane::Pop() {
  MutexLock lock(mu_);
  cv_.wait(lock.native(), [this]() MLPROD_REQUIRES(mu_) { return woken_ || !waiting_.empty(); });
  if (woken_) return Item{};
  Item item = std::move(waiting_.front());
  waiting_.pop_front();
  return item;
}

void TaskLane::Wake() {
  {
    MutexLock lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

size_t TaskLane::Size() const {
  MutexLock lock(mu_);
  return waiting_.size();
}

size_t TaskLane::Clear() {
  std::deque<Item> released;
  {
    MutexLock lock(mu_);
    released.swap(waiting_);
  }
  // Destroyed outside the lock: requeueing calls into the broker.
  return released.size();
}

}  // namespace mlprod::worker
