// Which started inferences this process has not yet seen ready: backs api_active_inferences,
// and lets a status lookup skip the store's row for a task it knows it wrote. An inference
// nobody polled for `forget_after` stops counting (clients that start and walk away would
// otherwise hold the gauge up forever); beyond kMaxTracked everything is forgotten.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "common/mutex.h"
#include "metrics/api_metrics.h"

namespace mlprod::usecases {

class InferenceTracker {
 public:
  using Clock = std::chrono::steady_clock;
  // forget_after default: 60 s (twice the longest long poll).
  explicit InferenceTracker(metrics::ApiMetrics* metrics,
                            Clock::duration forget_after = std::chrono::seconds(60))
      : metrics_(metrics), forget_after_(forget_after) {}
  void Started(const std::string& task_id, Clock::time_point now);
  void SeenReady(const std::string& task_id);
  // Started here and not seen ready yet (nor forgotten): its inference row exists.
  bool Pending(const std::string& task_id) const;
  std::size_t active() const;

  static constexpr std::size_t kMaxTracked = 100000;

 private:
  void Forget(std::size_t count) MLPROD_REQUIRES(mu_);
  metrics::ApiMetrics* metrics_;
  Clock::duration forget_after_;
  mutable Mutex mu_;
  // Task id -> started.
  std::unordered_map<std::string, Clock::time_point> pending_ MLPROD_GUARDED_BY(mu_);
  Clock::time_point last_sweep_ MLPROD_GUARDED_BY(mu_){};
};

}  // namespace mlprod::usecases
