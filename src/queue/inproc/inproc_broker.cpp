#include "queue/inproc/inproc_broker.h"

#include <condition_variable>
#include <deque>

#include "common/mutex.h"

namespace mlprod::queue {

struct InprocBroker::State {
  struct Entry {
    TaskMessage message;
    bool redelivered = false;
    std::chrono::system_clock::time_point published_at;
  };

  InprocBrokerOptions options;
  Mutex mu;
  std::condition_variable not_empty;
  std::condition_variable not_full;
  std::deque<Entry> ready MLPROD_GUARDED_BY(mu);
  long long unacked MLPROD_GUARDED_BY(mu) = 0;
  bool closed MLPROD_GUARDED_BY(mu) = false;

  // A requeued message goes to the head, like RabbitMQ puts it back near its old position.
  void Requeue(Entry entry) {
    {
      MutexLock lock(mu);
      --unacked;
      entry.redelivered = true;
      ready.push_front(std::move(entry));
    }
    not_empty.notify_one();
  }
  void Drop() {
    MutexLock lock(mu);
    --unacked;
  }
};

namespace {

class InprocDelivery final : public Delivery {
 public:
  InprocDelivery(std::shared_ptr<InprocBroker::State> state, InprocBroker::State::Entry entry)
      : state_(std::move(state)), entry_(std::move(entry)) {}
  ~InprocDelivery() override {
    if (!settled_) state_->Requeue(std::move(entry_));
  }

  const TaskMessage& message() const override { return entry_.message; }
  bool redelivered() const override { return entry_.redelivered; }
  std::optional<std::chrono::system_clock::time_point> published_at() const override {
    return entry_.published_at;
  }
  Status Ack() override { return Settle(false); }
  Status Reject(bool requeue) override { return Settle(requeue); }

 private:
  Status Settle(bool requeue) {
    if (settled_) {
      return MakeError(ErrorCode::kConflict,
                       "delivery of task " + entry_.message.id + " is already settled");
    }
    settled_ = true;
    if (requeue) {
      state_->Requeue(std::move(entry_));
    } else {
      state_->Drop();
    }
    return OkStatus();
  }

  std::shared_ptr<InprocBroker::State> state_;
  InprocBroker::State::Entry entry_;
  bool settled_ = false;
};

Error ClosedError() { return MakeError(ErrorCode::kUnavailable, "in-process broker is closed"); }

}  // namespace

InprocBroker::InprocBroker(InprocBrokerOptions options) : state_(std::make_shared<State>()) {
  state_->options = options;
}

InprocBroker::~InprocBroker() { Close(); }

Status InprocBroker::Publish(const TaskMessage& message) {
  State::Entry entry{message, false, state_->options.clock->Now()};
  {
    MutexLock lock(state_->mu);
    const size_t max = state_->options.max_depth;
    if (max > 0) {
      const bool room = state_->not_full.wait_for(
          lock.native(), state_->options.publish_timeout, [&]() MLPROD_REQUIRES(state_->mu) {
            return state_->closed || state_->ready.size() < max;
          });
      if (!room) {
        return MakeError(ErrorCode::kUnavailable,
                         "in-process queue is full (" + std::to_string(max) + " messages waiting)");
      }
    }
    if (state_->closed) return ClosedError();
    state_->ready.push_back(std::move(entry));
  }
  state_->not_empty.notify_one();
  return OkStatus();
}

Result<std::unique_ptr<Delivery>> InprocBroker::Next(std::chrono::milliseconds timeout) {
  MutexLock lock(state_->mu);
  state_->not_empty.wait_for(lock.native(), timeout, [&]() MLPROD_REQUIRES(state_->mu) {
    return state_->closed || !state_->ready.empty();
  });
  if (state_->closed) return ClosedError();
  if (state_->ready.empty()) return std::unique_ptr<Delivery>();
  State::Entry entry = std::move(state_->ready.front());
  state_->ready.pop_front();
  ++state_->unacked;
  lock.Unlock();
  state_->not_full.notify_one();
  return std::unique_ptr<Delivery>(std::make_unique<InprocDelivery>(state_, std::move(entry)));
}

long long InprocBroker::Depth() {
  MutexLock lock(state_->mu);
  return static_cast<long long>(state_->ready.size());
}

long long InprocBroker::Unacked() {
  MutexLock lock(state_->mu);
  return state_->unacked;
}

Status InprocBroker::Ping() {
  MutexLock lock(state_->mu);
  if (state_->closed) return ClosedError();
  return OkStatus();
}

void InprocBroker::Close() {
  {
    MutexLock lock(state_->mu);
    state_->closed = true;
  }
  state_->not_empty.notify_all();
  state_->not_full.notify_all();
}

}  // namespace mlprod::queue
