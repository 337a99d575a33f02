// Celery's Redis result backend (SPEC §4): results under `celery-task-meta-<id>` written with
// SETEX + PUBLISH in one pipeline; Watch listens with PSUBSCRIBE on a background connection.
// Not a general Redis client. Thread-safe: commands use a small connection pool; connections
// that fail are dropped and re-opened on the next call, so Redis restarts heal by themselves.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "queue/result_backend.h"

namespace mlprod::queue {

struct RedisResultBackendOptions {
  // redis://[:password@]host[:port][/db]. Required.
  std::string url;
  // TTL of every stored result (Celery's result_expires). Default: 3600 s.
  std::chrono::seconds result_expires{3600};
  // Deadline for connecting and for each command. Default: 2000 ms.
  std::chrono::milliseconds timeout{2000};
  // Idle connections kept for reuse. Default: 8.
  size_t max_idle_connections = 8;
};

class RedisResultBackend final : public ResultBackend {
 public:
  // Validates the URL; does not need Redis to be up yet.
  static Result<std::unique_ptr<RedisResultBackend>> Create(RedisResultBackendOptions options);
  ~RedisResultBackend() override;  // stops the subscriber thread

  Status Store(const TaskResult& result) override;
  Result<TaskResult> Get(const std::string& task_id) override;
  // Listeners run on the subscriber thread (or the caller's, when already ready). The
  // subscriber starts on the first Watch; after a reconnect it re-reads every watched id, so
  // a notification lost while Redis was down is not a lost wake-up.
  std::unique_ptr<WatchHandle> Watch(const std::string& task_id,
                                     std::function<void(const TaskResult&)> on_ready) override;
  Status Ping() override;

  struct Impl;

 private:
  explicit RedisResultBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlprod::queue
