#include "metrics/worker_metrics.h"

#include <algorithm>

namespace mlprod::metrics {
namespace {

std::vector<double> RunBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
}

}  // namespace

WorkerMetrics::WorkerMetrics(prometheus::Registry& registry)
    : tasks_(prometheus::BuildCounter()
                 .Name("worker_tasks_total")
                 .Help("Tasks that reached a final state, by task name and state")
                 .Register(registry)),
      run_seconds_(prometheus::BuildHistogram()
                       .Name("worker_task_duration_seconds")
                       .Help("Wall time of the task handler")
                       .Register(registry)),
      wait_seconds_(prometheus::BuildHistogram()
                        .Name("worker_task_queue_wait_seconds")
                        .Help("Time from publish (or eta) to the start of the task")
                        .Register(registry)),
      in_flight_(prometheus::BuildGauge()
                     .Name("worker_tasks_in_flight")
                     .Help("Tasks running right now")
                     .Register(registry)
                     .Add({})),
      rejected_(prometheus::BuildCounter()
                    .Name("worker_messages_rejected_total")
                    .Help("Messages dropped without running, by reason")
                    .Register(registry)),
      model_loads_(prometheus::BuildCounter()
                       .Name("worker_model_loads_total")
                       .Help("Model folders loaded into the serving pool")
                       .Register(registry)
                       .Add({})),
      reconnects_(prometheus::BuildCounter()
                      .Name("worker_broker_reconnects_total")
                      .Help("Broker connections re-opened after one was lost")
                      .Register(registry)
                      .Add({})),
      prefetched_(prometheus::BuildGauge()
                      .Name("worker_tasks_prefetched")
                      .Help("Messages taken from the broker and not yet acknowledged (running "
                            "or held until their eta)")
                      .Register(registry)
                      .Add({})),
      republished_(prometheus::BuildCounter()
                       .Name("tasks_republished_total")
                       .Help("Inferences left unfinished too long that the sweeper published "
                             "again")
                       .Register(registry)
                       .Add({})),
      model_share_(prometheus::BuildGauge()
                       .Name("worker_active_model_use_percentage")
                       .Help("Traffic share of each active model (model_id label)")
                       .Register(registry)),
      model_auc_(prometheus::BuildGauge()
                     .Name("worker_active_model_test_auc")
                     .Help("Test ROC AUC of each active model (model_id label)")
                     .Register(registry)) {}

WorkerMetrics::TaskSeries& WorkerMetrics::Series(std::string_view task) {
  auto it = series_.find(task);
  if (it != series_.end()) return it->second;
  TaskSeries s;
  s.run = &run_seconds_.Add({{"task", std::string(task)}}, RunBuckets());
  s.wait = &wait_seconds_.Add({{"task", std::string(task)}}, RunBuckets());
  return series_.emplace(std::string(task), s).first->second;
}

void WorkerMetrics::SetBrokerState(long long reconnects_total, long long prefetched) {
  MutexLock lock(mu_);
  const double seen = reconnects_.Value();
  if (static_cast<double>(reconnects_total) > seen) {
    reconnects_.Increment(static_cast<double>(reconnects_total) - seen);
  }
  prefetched_.Set(static_cast<double>(std::max(0LL, prefetched)));
}

void WorkerMetrics::TasksRepublished(long long count) {
  if (count > 0) republished_.Increment(static_cast<double>(count));
}

void WorkerMetrics::TaskStarted() { in_flight_.Increment(); }

void WorkerMetrics::TaskEnded() { in_flight_.Decrement(); }

void WorkerMetrics::TaskFinished(std::string_view task, std::string_view state, double run_seconds,
                                 std::optional<double> queue_wait_seconds) {
  prometheus::Counter* counter = nullptr;
  TaskSeries series;
  {
    MutexLock lock(mu_);
    auto key = std::make_pair(std::string(task), std::string(state));
    auto it = task_counters_.find(key);
    if (it == task_counters_.end()) {
      auto& c = tasks_.Add({{"task", key.first}, {"state", key.second}});
      it = task_counters_.emplace(std::move(key), &c).first;
    }
    counter = it->second;
    series = Series(task);
  }
  counter->Increment();
  if (run_seconds > 0) series.run->Observe(run_seconds);
  if (queue_wait_seconds) series.wait->Observe(std::max(0.0, *queue_wait_seconds));
}

void WorkerMetrics::MessageRejected(std::string_view reason) {
  MutexLock lock(mu_);
  rejected_.Add({{"reason", std::string(reason)}}).Increment();
}

void WorkerMetrics::ModelLoaded() { model_loads_.Increment(); }

void WorkerMetrics::SetActiveModels(const std::vector<ActiveModelInfo>& models) {
  MutexLock lock(mu_);
  std::vector<std::string> ids;
  for (const auto& m : models) {
    model_share_.Add({{"model_id", m.model_id}}).Set(m.use_percentage);
    model_auc_.Add({{"model_id", m.model_id}}).Set(m.test_auc);
    ids.push_back(m.model_id);
  }
  for (const auto& old : active_ids_) {
    if (std::find(ids.begin(), ids.end(), old) != ids.end()) continue;
    model_share_.Remove(&model_share_.Add({{"model_id", old}}));
    model_auc_.Remove(&model_auc_.Add({{"model_id", old}}));
  }
  active_ids_ = std::move(ids);
}

}  // namespace mlprod::metrics
