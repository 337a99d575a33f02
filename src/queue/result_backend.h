// Where task states and results live (Celery's result backend). Implementations: in-memory
// (inproc/) and Redis in Celery's format (redis/). Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "queue/task.h"

namespace mlprod::queue {

// Keeps a Watch registration alive; destroying it unregisters the listener.
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
};

class ResultBackend {
 public:
  virtual ~ResultBackend() = default;
  // Stores the state/result of a task (SETEX + PUBLISH for Redis) and wakes its watchers.
  virtual Status Store(const TaskResult& result) = 0;
  // The task's current state; an unknown id reads as PENDING.
  virtual Result<TaskResult> Get(const std::string& task_id) = 0;
  // Calls `on_ready` once, from any thread, when the task reaches a ready state (SUCCESS,
  // FAILURE, REVOKED) — immediately if it already has. Used for long polling (?wait=).
  virtual std::unique_ptr<WatchHandle> Watch(const std::string& task_id,
                                             std::function<void(const TaskResult&)> on_ready) = 0;
  virtual Status Ping() = 0;
};

}  // namespace mlprod::queue
