#include "queue/redis/redis_result_backend.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/resolve.h"
#include "queue/celery_result.h"
#include "queue/redis/redis_connection.h"
#include "queue/watch_list.h"

namespace mlprod::queue {

struct RedisResultBackend::Impl {
  RedisResultBackendOptions options;
  RedisEndpoint endpoint;
  WatchList watches;
  RememberedAddress address;

  Mutex pool_mu;
  std::vector<std::unique_ptr<RedisConnection>> idle MLPROD_GUARDED_BY(pool_mu);

  std::once_flag subscriber_started;
  std::thread subscriber;
  std::atomic<bool> stopping{false};
  Mutex stop_mu;
  std::condition_variable stop_cv;

  Result<std::unique_ptr<RedisConnection>> Acquire() {
    {
      MutexLock lock(pool_mu);
      if (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        return c;
      }
    }
    return Dial();
  }
  // A new connection to the address the last one reached; resolves the host only when there is
  // none or it no longer answers (docs/decisions.md: no DNS lookup per pooled connection).
  Result<std::unique_ptr<RedisConnection>> Dial() {
    const std::string known = address.Get();
    if (!known.empty()) {
      auto conn = RedisConnection::Connect(endpoint, options.timeout, known);
      if (conn.ok() || conn.error().code != ErrorCode::kUnavailable) return conn;
      address.Forget(known);
    }
    auto resolved = ResolveTcpHost(endpoint.host, endpoint.port);
    if (!resolved.ok()) {
      return MakeError(ErrorCode::kUnavailable, "redis " + endpoint.host + ":" +
                                                    std::to_string(endpoint.port) + ": " +
                                                    resolved.error().message);
    }
    Result<std::unique_ptr<RedisConnection>> conn = MakeError(ErrorCode::kUnavailable, "");
    for (const std::string& a : *resolved) {
      conn = RedisConnection::Connect(endpoint, options.timeout, a);
      if (conn.ok()) address.Remember(a);
      if (conn.ok() || conn.error().code != ErrorCode::kUnavailable) break;
    }
    return conn;
  }
  void Release(std::unique_ptr<RedisConnection> c) {
    if (c->broken()) return;
    MutexLock lock(pool_mu);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(c));
  }
  Result<RedisReply> Run(const std::vector<std::string>& argv) {
    auto conn = Acquire();
    if (!conn.ok()) return conn.error();
    auto r = (*conn)->Command(argv);
    Release(std::move(*conn));
    return r;
  }

  Result<TaskResult> Get(const std::string& id) {
    auto r = Run({"GET", ResultKey(id)});
    if (!r.ok()) return r.error();
    if (r->type == RedisReply::Type::kNil) {
      TaskResult pending;
      pending.task_id = id;
      return pending;
    }
    auto decoded = DecodeTaskResultText(r->str);
    if (!decoded.ok()) {
      return MakeError(ErrorCode::kDataLoss, ResultKey(id) + ": " + decoded.error().message);
    }
    return decoded;
  }

  void WaitStop(std::chrono::milliseconds d) {
    MutexLock lock(stop_mu);
    stop_cv.wait_for(lock.native(), d,
                     [this]() MLPROD_REQUIRES(stop_mu) { return stopping.load(); });
  }

  // Reads every watched id once: results stored while we were not subscribed still wake.
  void Recheck() {
    for (const auto& id : watches.Ids()) {
      if (auto r = Get(id); r.ok()) watches.Notify(*r);
    }
  }

  void Subscribe() {
    const std::string pattern = std::string(kResultKeyPrefix) + "*";
    auto backoff = std::chrono::milliseconds(100);
    while (!stopping) {
      auto conn = Dial();
      Status st = conn.ok() ? (*conn)->Send({"PSUBSCRIBE", pattern}) : Status(conn.error());
      if (!st.ok()) {
        spdlog::warn("redis result backend: subscriber cannot connect: {}", st.error().message);
        WaitStop(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      backoff = std::chrono::milliseconds(100);
      bool subscribed = false;
      while (!stopping) {
        auto msg = (*conn)->ReadPush(std::chrono::milliseconds(200));
        if (!msg.ok()) {
          spdlog::warn("redis result backend: subscriber lost: {}", msg.error().message);
          break;
        }
        if (msg->type != RedisReply::Type::kArray || msg->elements.empty()) continue;
        const std::string& kind = msg->elements[0].str;
        if (kind == "psubscribe" && !subscribed) {
          subscribed = true;
          Recheck();
        } else if (kind == "pmessage" && msg->elements.size() == 4) {
          auto r = DecodeTaskResultText(msg->elements[3].str);
          if (r.ok()) {
            watches.Notify(*r);
          } else {
            spdlog::warn("redis result backend: ignoring message on {}: {}", msg->elements[2].str,
                         r.error().message);
          }
        }
      }
    }
  }
};

RedisResultBackend::RedisResultBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<RedisResultBackend>> RedisResultBackend::Create(
    RedisResultBackendOptions options) {
  auto endpoint = ParseRedisUrl(options.url);
  if (!endpoint.ok()) return endpoint.error();
  if (options.result_expires.count() <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "result_expires must be positive");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->endpoint = *endpoint;
  return std::unique_ptr<RedisResultBackend>(new RedisResultBackend(std::move(impl)));
}

RedisResultBackend::~RedisResultBackend() {
  {
    MutexLock lock(impl_->stop_mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->subscriber.joinable()) impl_->subscriber.join();
}

Status RedisResultBackend::Store(const TaskResult& result) {
  if (result.task_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot store a result without a task id");
  }
  const std::string key = ResultKey(result.task_id);
  const std::string value = EncodeTaskResultText(result);
  auto conn = impl_->Acquire();
  if (!conn.ok()) return conn.error();
  auto replies = (*conn)->Pipeline(
      {{"SETEX", key, std::to_string(impl_->options.result_expires.count()), value},
       {"PUBLISH", key, value}});
  impl_->Release(std::move(*conn));
  if (!replies.ok()) return replies.error();
  return OkStatus();
}

Result<TaskResult> RedisResultBackend::Get(const std::string& task_id) {
  return impl_->Get(task_id);
}

std::unique_ptr<WatchHandle> RedisResultBackend::Watch(
    const std::string& task_id, std::function<void(const TaskResult&)> on_ready) {
  std::call_once(impl_->subscriber_started, [this] {
    impl_->subscriber = std::thread([impl = impl_.get()] { impl->Subscribe(); });
  });
  // Register first, then read: a result stored in between is seen by one of the two.
  auto handle = impl_->watches.Add(task_id, std::move(on_ready));
  if (auto r = impl_->Get(task_id); r.ok()) impl_->watches.Notify(*r);
  return handle;
}

Status RedisResultBackend::Ping() {
  auto r = impl_->Run({"PING"});
  if (!r.ok()) return r.error();
  return OkStatus();
}

}  // namespace mlprod::queue
