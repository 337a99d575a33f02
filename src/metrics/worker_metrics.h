// The task worker's Prometheus families (SPEC §8): tasks by name and final state, run time and
// queue wait histograms, tasks in flight, rejected messages, model loads, inferences the sweeper
// published again and the active models with their test AUC. Plain values in, so it knows
// nothing of the worker or the tasks.
// Thread-safe: every method may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"

namespace mlprod::metrics {

struct ActiveModelInfo {
  std::string model_id;
  double use_percentage = 0;
  double test_auc = 0;
};

class WorkerMetrics {
 public:
  explicit WorkerMetrics(prometheus::Registry& registry);

  // Around a task handler: the in-flight gauge.
  void TaskStarted();
  void TaskEnded();
  // A task reached SUCCESS, FAILURE or REVOKED (state is Celery's name).
  void TaskFinished(std::string_view task, std::string_view state, double run_seconds,
                    std::optional<double> queue_wait_seconds);
  // A message dropped without running (unknown task name, poison).
  void MessageRejected(std::string_view reason);
  void ModelLoaded();
  // The sweeper published `count` inferences left unfinished again (tasks/sweeper.h).
  void TasksRepublished(long long count);
  // Read at scrape time: the broker's reconnect count so far (the counter follows it) and the
  // messages taken from the broker and not yet acknowledged (running or held until their eta).
  void SetBrokerState(long long reconnects_total, long long prefetched);
  // The models serving traffic now; models no longer active are removed from the gauges.
  void SetActiveModels(const std::vector<ActiveModelInfo>& models);

 private:
  struct TaskSeries {
    prometheus::Histogram* run = nullptr;
    prometheus::Histogram* wait = nullptr;
  };
  TaskSeries& Series(std::string_view task) MLPROD_REQUIRES(mu_);

  prometheus::Family<prometheus::Counter>& tasks_;
  prometheus::Family<prometheus::Histogram>& run_seconds_;
  prometheus::Family<prometheus::Histogram>& wait_seconds_;
  prometheus::Gauge& in_flight_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Counter& model_loads_;
  prometheus::Counter& reconnects_;
  prometheus::Gauge& prefetched_;
  prometheus::Counter& republished_;
  prometheus::Family<prometheus::Gauge>& model_share_;
  prometheus::Family<prometheus::Gauge>& model_auc_;

  Mutex mu_;
  // Caches: labels are resolved once per name.
  std::map<std::string, TaskSeries, std::less<>> series_ MLPROD_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> task_counters_
      MLPROD_GUARDED_BY(mu_);
  std::vector<std::string> active_ids_ MLPROD_GUARDED_BY(mu_);
};

}  // namespace mlprod::metrics
