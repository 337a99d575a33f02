// One-shot listeners waiting for tasks to become ready, keyed by task id, for result backends
// whose notifications arrive from elsewhere (Redis pub/sub). Not the backend itself.
// Thread-safe; listeners run without the list's lock held.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "queue/result_backend.h"

namespace mlprod::queue {

class WatchList {
 public:
  WatchList();
  ~WatchList();

  // Registers a listener. After the handle is destroyed the listener is neither running nor
  // called again (unless destroyed from inside the listener, which is allowed).
  std::unique_ptr<WatchHandle> Add(const std::string& task_id,
                                   std::function<void(const TaskResult&)> on_ready);
  // Calls and removes every listener of result.task_id when the result is ready; each listener
  // runs at most once however often this is called.
  void Notify(const TaskResult& result);
  // Ids with at least one listener (to re-check them after missed notifications).
  std::vector<std::string> Ids() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mlprod::queue
