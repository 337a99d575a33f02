#include "queue/inproc/inproc_result_backend.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace mlprod::queue {
namespace {

using Clock = std::chrono::steady_clock;

// One listener. Its recursive mutex is held while the listener runs, so a handle destroyed on
// another thread waits for a running call to finish, and one destroyed inside the call does not
// deadlock.
struct Watcher {
  std::recursive_mutex mu;
  std::function<void(const TaskResult&)> on_ready;
  bool done = false;

  void Fire(const TaskResult& result) {
    std::lock_guard lock(mu);
    if (done) return;
    done = true;
    auto fn = std::move(on_ready);
    fn(result);
  }
  void Cancel() {
    std::lock_guard lock(mu);
    done = true;
    on_ready = nullptr;
  }
};

struct Stored {
  TaskResult result;
  Clock::time_point expires_at;
};

struct Shard {
  std::shared_mutex mu;
  // The newer generation takes every Store; when it fills it becomes `older` and the previous
  // older generation is dropped whole (O(1) eviction of the oldest half, no per-entry order).
  std::unordered_map<std::string, Stored> results;
  std::unordered_map<std::string, Stored> older;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Watcher>>> watchers;
  Clock::time_point next_sweep{};
};

}  // namespace

struct InprocResultBackend::Impl {
  InprocResultBackendOptions options;
  std::vector<Shard> shards;

  size_t generation_size;  // per shard

  explicit Impl(InprocResultBackendOptions o)
      : options(std::move(o)),
        shards(options.shards),
        generation_size(std::max<size_t>(1, options.max_results / options.shards / 2)) {}

  Clock::time_point Now() const { return options.clock ? options.clock() : Clock::now(); }
  Shard& ShardOf(const std::string& id) {
    return shards[std::hash<std::string>{}(id) % shards.size()];
  }

  // Caller holds the shard exclusively. Amortised: one full pass per sweep interval.
  void MaybeSweep(Shard& shard, Clock::time_point now) {
    if (now < shard.next_sweep) return;
    auto expired = [now](const auto& kv) { return kv.second.expires_at <= now; };
    std::erase_if(shard.results, expired);
    std::erase_if(shard.older, expired);
    const auto interval =
        std::min<Clock::duration>(options.result_expires, std::chrono::minutes(1));
    shard.next_sweep = now + interval;
  }

  // The live entry for `id` in either generation, or nullptr. Caller holds the shard.
  const Stored* Find(Shard& shard, const std::string& id) const {
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
    std::unique_lock lock(shard.mu);
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
  impl_ = std::make_shared<Impl>(std::move(options));
}

InprocResultBackend::~InprocResultBackend() = default;

Status InprocResultBackend::Store(const TaskResult& result) {
  if (result.task_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot store a result without a task id");
  }
  Shard& shard = impl_->ShardOf(result.task_id);
  std::vector<std::shared_ptr<Watcher>> to_fire;
  {
    std::unique_lock lock(shard.mu);
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
  std::shared_lock lock(shard.mu);
  if (const Stored* stored = impl_->Find(shard, task_id)) return stored->result;
  TaskResult pending;
  pending.task_id = task_id;
  return pending;
}

std::unique_ptr<WatchHandle> InprocResultBackend::Watch(
    const std::string& task_id, std::function<void(const TaskResult&)> on_ready) {
  auto watcher = std::make_shared<Watcher>();
  watcher->on_ready = std::move(on_ready);
  Shard& shard = impl_->ShardOf(task_id);
  std::optional<TaskResult> ready;
  {
    // Checking and registering under one exclusive lock: a Store in between cannot be missed.
    std::unique_lock lock(shard.mu);
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
    std::shared_lock lock(shard.mu);
    n += shard.results.size() + shard.older.size();
  }
  return n;
}

}  // namespace mlprod::queue
