#include "queue/watch_list.h"

#include <algorithm>
#include <unordered_map>

#include "common/mutex.h"
#include "queue/one_shot_listener.h"

namespace mlprod::queue {

using Listener = OneShotListener;

struct WatchList::State {
  mutable Mutex mu;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Listener>>> by_id
      MLPROD_GUARDED_BY(mu);

  void Remove(const std::string& id, const std::shared_ptr<Listener>& l) {
    MutexLock lock(mu);
    auto it = by_id.find(id);
    if (it == by_id.end()) return;
    std::erase(it->second, l);
    if (it->second.empty()) by_id.erase(it);
  }
};

namespace {

class Handle final : public WatchHandle {
 public:
  Handle(std::shared_ptr<WatchList::State> state, std::string id, std::shared_ptr<Listener> l)
      : state_(std::move(state)), id_(std::move(id)), listener_(std::move(l)) {}
  ~Handle() override {
    listener_->Cancel();
    state_->Remove(id_, listener_);
  }

 private:
  std::shared_ptr<WatchList::State> state_;
  std::string id_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace

WatchList::WatchList() : state_(std::make_shared<State>()) {}
WatchList::~WatchList() = default;

std::unique_ptr<WatchHandle> WatchList::Add(const std::string& task_id,
                                            std::function<void(const TaskResult&)> on_ready) {
  auto l = std::make_shared<Listener>(std::move(on_ready));
  {
    MutexLock lock(state_->mu);
    state_->by_id[task_id].push_back(l);
  }
  return std::make_unique<Handle>(state_, task_id, std::move(l));
}

void WatchList::Notify(const TaskResult& result) {
  if (!IsReady(result.state)) return;
  std::vector<std::shared_ptr<Listener>> fire;
  {
    MutexLock lock(state_->mu);
    auto it = state_->by_id.find(result.task_id);
    if (it == state_->by_id.end()) return;
    fire = std::move(it->second);
    state_->by_id.erase(it);
  }
  for (auto& l : fire) l->Fire(result);
}

std::vector<std::string> WatchList::Ids() const {
  MutexLock lock(state_->mu);
  std::vector<std::string> ids;
  ids.reserve(state_->by_id.size());
  for (const auto& [id, _] : state_->by_id) ids.push_back(id);
  return ids;
}

}  // namespace mlprod::queue
