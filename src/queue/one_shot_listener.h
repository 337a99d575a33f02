// One listener of a task's ready result, called at most once: the unit that WatchList and the
// in-memory result backend keep per Watch. Its recursive mutex is held while the callback runs,
// so a handle cancelled on another thread waits for a running call to finish, and one cancelled
// inside the call (the callback destroying its own handle) does not deadlock. Thread-safe.
#pragma once

#include <functional>
#include <utility>

#include "common/mutex.h"
#include "queue/task.h"

namespace mlprod::queue {

class OneShotListener {
 public:
  explicit OneShotListener(std::function<void(const TaskResult&)> on_ready)
      : on_ready_(std::move(on_ready)) {}

  // Calls the callback with `result`, unless it was called or cancelled before.
  void Fire(const TaskResult& result) {
    RecursiveMutexLock lock(mu_);
    if (done_) return;
    done_ = true;
    auto fn = std::move(on_ready_);
    fn(result);
  }
  // After it returns the callback is neither running (on another thread) nor called again.
  void Cancel() {
    RecursiveMutexLock lock(mu_);
    done_ = true;
    on_ready_ = nullptr;
  }

 private:
  RecursiveMutex mu_;
  std::function<void(const TaskResult&)> on_ready_ MLPROD_GUARDED_BY(mu_);
  bool done_ MLPROD_GUARDED_BY(mu_) = false;
};

}  // namespace mlprod::queue
