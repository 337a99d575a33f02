#include "queue/inproc/inproc_result_backend.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "queue/one_shot_listener.h"

namespace mlprod::queue {
namespace {

using Clock = std::chrono::steady_clock;

using Watcher = OneShotListener;

struct Stored {
  TaskResult result;
  Clock::time_point expires_at;
};

struct Shard {
  SharedMutex mu;
  // The newer generation takes every Store; when it fills it becomes `older` and the previous
  // older generation is dropped whole (O(1) eviction of the oldest half, no per-entry order).
  std::unordered_map<std::string, Stored> results MLPROD_GUARDED_BY(mu);
  std::unordered_map<std::string, Stored> older MLPROD_GUARDED_BY(mu);
  std::unordered_map<std::string, std::vector<std::shared_ptr<Watcher>>> watchers
      MLPROD_GUARDED_BY(mu);
  Clock::time_point next_sweep MLPROD_GUARDED_BY(mu){};
};

}  // namespace

struct InprocResultBackend::Impl {
  InprocResultBackendOptions options;
  std::vector<Shard> shards;

  size_t generation_size;  // per shard

  explicit Impl(InprocResultBackendOptions o)
      : options(o),
        shards(options.shards),
        generation_size(std::max<size_t>(1, options.max_results / options.shards / 2)) {}

  Clock::time_point Now() const { return options.clock->SteadyNow(); }
  Shard& ShardOf(const std::string& id) {
    return shards[std::hash<std::string>{}(id) % shards.size()];
  }

  // Amortised: one full pass per sweep interval.
  void MaybeSweep(Shard& shard, Clock::time_point now) MLPROD_REQUIRES(shard.mu) {
    if (now < shard.next_sweep) return;
    auto expired = [now](const auto& kv) { return kv.second.expires_at <= now; };
    std::erase_if(shard.results, expired);
    std::erase_if(shard.older, expired);
    const auto interval =
        std::min<Clock::duration>(options.result_expires, std::chrono::minutes(1));
    shard.next_sweep = now + interval;
  }

  // The live entry for `id` in either generation, or nullptr.
  const Stored* Find(Shard& shard, const std::string& id) const MLPROD_REQUIRES_SHARED(shard.mu) {
    const auto now = Now();
    for (auto* map : {&shard.results, &shard.older}) {
      if (auto it = map->find(id); it != map->end()) {
        return it->second.expires_at > now ? &it->second : nullptr;
      }
    }
    return nullptr;
  }

  void Unwatch(const std::string& id, const std::shared_ptr<Watcher>& watcher) {
    Shard& shard = ShardOf(id);
    WriterLock lock(shard.mu);
    auto it = shard.watchers.find(id);
    if (it == shard.watchers.end()) return;
    std::erase(it->second, watcher);
    if (it->second.empty()) shard.watchers.erase(it);
  }
};

namespace {

class InprocWatchHandle final : public WatchHandle {
 public:
  InprocWatchHandle(std::shared_ptr<InprocResultBackend::Impl> impl, std::string id,
                    std::shared_ptr<Watcher> watcher)
      : impl_(std::move(impl)), id_(std::move(id)), watcher_(std::move(watcher)) {}
  ~InprocWatchHandle() override {
    if (!watcher_) return;
    watcher_->Cancel();
    impl_->Unwatch(id_, watcher_);
  }

 private:
  std::shared_ptr<InprocResultBackend::Impl> impl_;
  std::string id_;
  std::shared_ptr<Watcher> watcher_;
};

}  // namespace

InprocResultBackend::InprocResultBackend(InprocResultBackendOptions options) {
  if (options.shards == 0) options.shards = 1;
  impl_ = std::make_shared<Impl>(options);
}

InprocResultBackend::~InprocResultBackend() = default;

Status InprocResultBackend::Store(const TaskResult& result) {
  if (result.task_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot store a result without a task id");
  }
  Shard& shard = impl_->ShardOf(result.task_id);
  std::vector<std::shared_ptr<Watcher>> to_fire;
  {
    WriterLock lock(shard.mu);
    const auto now = impl_->Now();
    impl_->MaybeSweep(shard, now);
    shard.older.erase(result.task_id);
    shard.results.insert_or_assign(result.task_id,
                                   Stored{result, now + impl_->options.result_expires});
    if (shard.results.size() >= impl_->generation_size) {
      shard.older = std::move(shard.results);
      shard.results = {};
    }
    if (IsReady(result.state)) {
      if (auto it = shard.watchers.find(result.task_id); it != shard.watchers.end()) {
        to_fire = std::move(it->second);
        shard.watchers.erase(it);
      }
    }
  }
  for (auto& w : to_fire) w->Fire(result);
  return OkStatus();
}

Result<TaskResult> InprocResultBackend::Get(const std::string& task_id) {
  Shard& shard = impl_->ShardOf(task_id);
  ReaderLock lock(shard.mu);
  if (const Stored* stored = impl_->Find(shard, task_id)) return stored->result;
  TaskResult pending;
  pending.task_id = task_id;
  return pending;
}

std::unique_ptr<WatchHandle> InprocResultBackend::Watch(
    const std::string& task_id, std::function<void(const TaskResult&)> on_ready) {
  auto watcher = std::make_shared<Watcher>(std::move(on_ready));
  Shard& shard = impl_->ShardOf(task_id);
  std::optional<TaskResult> ready;
  {
    // Checking and registering under one exclusive lock: a Store in between cannot be missed.
    WriterLock lock(shard.mu);
    if (const Stored* stored = impl_->Find(shard, task_id);
        stored && IsReady(stored->result.state)) {
      ready = stored->result;
    } else {
      shard.watchers[task_id].push_back(watcher);
    }
  }
  if (ready) {
    watcher->Fire(*ready);
    return std::make_unique<InprocWatchHandle>(impl_, task_id, nullptr);
  }
  return std::make_unique<InprocWatchHandle>(impl_, task_id, std::move(watcher));
}

Status InprocResultBackend::Ping() { return OkStatus(); }

size_t InprocResultBackend::Size() {
  size_t n = 0;
  for (auto& shard : impl_->shards) {
    ReaderLock lock(shard.mu);
    n += shard.results.size() + shard.older.size();
  }
  return n;
}

}  // namespace mlprod::queue
