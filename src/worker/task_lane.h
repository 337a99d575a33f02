// A lane of a worker: the deliveries of its tasks (trainings) waiting, in arrival order, for one
// of the lane's own threads, so that however many of them are queued they never hold the
// threads that run everything else. Not the threads themselves (worker.h). Waiting deliveries
// stay unacked; releasing them (Clear, destruction) requeues them. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>

#include "common/mutex.h"
#include "queue/broker.h"
#include "worker/task_registry.h"

namespace mlprod::worker {

class TaskLane {
 public:
  struct Item {
    std::unique_ptr<queue::Delivery> delivery;
    const TaskRegistry::Entry* entry = nullptr;
  };

  void Push(std::unique_ptr<queue::Delivery> delivery, const TaskRegistry::Entry& entry);
  // The oldest waiting item; waits until there is one or Wake was called (then delivery is
  // null).
  Item Pop();
  // Makes every waiting Pop return (worker stop); later Pops return at once.
  void Wake();
  size_t Size() const;
  // Releases every waiting delivery (each goes back to its broker); returns how many.
  size_t Clear();

 private:
  mutable Mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> waiting_ MLPROD_GUARDED_BY(mu_);
  bool woken_ MLPROD_GUARDED_BY(mu_) = false;
};

}  // namespace mlprod::worker
