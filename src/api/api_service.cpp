#include "api/api_service.h"

#include "tasks/queue_training.h"

namespace mlprod::api {

void InferenceTracker::Forget(std::size_t count) {
  if (metrics_ != nullptr && count > 0) {
    metrics_->active_inferences().Decrement(static_cast<double>(count));
  }
}

void InferenceTracker::Started(const std::string& task_id, Clock::time_point now) {
  MutexLock lock(mu_);
  if (pending_.size() >= kMaxTracked) {
    Forget(pending_.size());
    pending_.clear();
  }
  // At most one sweep a second; pending_ holds only the unanswered inferences, so it is short.
  if (now - last_sweep_ >= std::chrono::seconds(1)) {
    last_sweep_ = now;
    std::size_t dropped = 0;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (now - it->second >= forget_after_) {
        it = pending_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    Forget(dropped);
  }
  if (pending_.emplace(task_id, now).second && metrics_ != nullptr) {
    metrics_->active_inferences().Increment();
  }
}

void InferenceTracker::SeenReady(const std::string& task_id) {
  MutexLock lock(mu_);
  if (pending_.erase(task_id) > 0) Forget(1);
}

bool InferenceTracker::Pending(const std::string& task_id) const {
  MutexLock lock(mu_);
  return pending_.contains(task_id);
}

std::size_t InferenceTracker::active() const {
  MutexLock lock(mu_);
  return pending_.size();
}

ApiService::ApiService(ApiDeps deps) : deps_(std::move(deps)), tracker_(deps_.metrics) {
  origin_ = tasks::ProcessOrigin();
}

void ApiService::Register(Router& router) {
  RegisterMeta(router);
  RegisterInference(router);
  RegisterTraining(router);
  RegisterContent(router);
  RegisterDashboard(router);
}

bool BearerTokenMatches(std::string_view authorization, std::string_view key) {
  if (key.empty()) return false;
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) return false;
  }
  std::string_view token = authorization.substr(kScheme.size());
  if (token.front() != ' ') return false;  // "Bearerx ..." is another scheme
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  // Time depends only on the key's length, never on where the first mismatch is.
  unsigned diff = token.size() != key.size() ? 1u : 0u;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const unsigned char g = i < token.size() ? static_cast<unsigned char>(token[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(key[i]);
  }
  return diff == 0;
}

bool ApiService::Authorized(const Request& request) const {
  if (deps_.api_key.empty()) return true;
  return BearerTokenMatches(request.authorization, deps_.api_key);
}

bool ApiService::ReadAuthorized(const Request& request) const {
  if (deps_.api_key.empty() && deps_.read_key.empty()) return true;
  // Both are compared, so the time does not tell which key (if any) matched.
  const bool full = BearerTokenMatches(request.authorization, deps_.api_key);
  const bool read = BearerTokenMatches(request.authorization, deps_.read_key);
  return full || read;
}

bool ApiService::QueueFull() {
  if (deps_.max_queue <= 0) return false;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               deps_.clock->SteadyNow().time_since_epoch())
                               .count();
  std::int64_t checked = depth_checked_ns_.load(std::memory_order_relaxed);
  constexpr std::int64_t kRecheckNs = 100'000'000;
  // One caller per interval asks the broker; the others use the last answer.
  if ((checked == 0 || now - checked >= kRecheckNs) &&
      depth_checked_ns_.compare_exchange_strong(checked, now)) {
    const long long depth = deps_.broker.Depth();
    queue_depth_.store(depth, std::memory_order_relaxed);
    if (deps_.metrics) deps_.metrics->SetQueueDepth(depth);
  }
  return queue_depth_.load(std::memory_order_relaxed) >= deps_.max_queue;
}

queue::TaskMessage ApiService::NewTask(std::string_view task_name) const {
  return tasks::NewTaskMessage(task_name, origin_);
}

}  // namespace mlprod::api
