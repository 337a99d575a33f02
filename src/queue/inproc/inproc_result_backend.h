// In-memory result backend for `mlprod serve`: task results in a sharded hash map with Redis-like
// expiry (each Store resets the TTL, like SETEX), a bound on how many it holds, and one-shot
// watchers for long polling.
// Not persistent, not shared between processes. Thread-safe; listeners run without any lock of
// the backend held, on the thread that stored the ready result (or the caller of Watch).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "common/clock.h"
#include "queue/result_backend.h"

namespace mlprod::queue {

struct InprocResultBackendOptions {
  // How long a stored result lives after its last Store (Celery's result_expires).
  // Default: 3600 s.
  std::chrono::seconds result_expires{3600};
  // Independent lock domains; more shards = less contention. Default: 16.
  size_t shards = 16;
  // Results held at most, whatever their age: each shard keeps two generations of
  // max_results / shards / 2 and drops the older one whole when the newer fills. The store is
  // the durable record (a status read of a dropped task falls back to its row), so this bounds
  // memory under any load. Default: 20,000 (~8 MB at ~0.4 KB per result).
  size_t max_results = 20000;
  // Time source for expiry (its steady reading); app/ passes its clock, tests a fake.
  const Clock* clock = &SystemClock();
};

class InprocResultBackend final : public ResultBackend {
 public:
  explicit InprocResultBackend(InprocResultBackendOptions options = {});
  ~InprocResultBackend() override;

  Status Store(const TaskResult& result) override;
  Result<TaskResult> Get(const std::string& task_id) override;
  // After the returned handle is destroyed the listener is neither running nor called again,
  // unless the handle is destroyed from inside the listener itself (allowed). Do not destroy a
  // handle while holding a lock the listener takes.
  std::unique_ptr<WatchHandle> Watch(const std::string& task_id,
                                     std::function<void(const TaskResult&)> on_ready) override;
  Status Ping() override;

  // Results currently held, expired ones not yet swept included (tests, metrics).
  size_t Size();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mlprod::queue
