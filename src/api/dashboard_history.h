// The /dashboard time series: a bounded ring of chart Points sampled from the process's own
// Prometheus registry by a background thread (one point every 2 s, the last hour by default).
// Not the HTTP routes (handlers_dashboard.cpp). Thread-safe: every method may be called from any
// thread; Start/Stop must not race each other.
#pragma once

#include <prometheus/registry.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "api/dashboard_series.h"
#include "common/clock.h"
#include "common/mutex.h"

namespace mlprod::api::dashboard {

struct HistoryOptions {
  double interval_s = 2;          // Default: 2 s between points
  std::size_t capacity = 1800;    // Default: 1800 points (an hour at 2 s); the oldest go first
  double accuracy_window_s = 60;  // Default: 60 s, the window of the "live accuracy" series
  const Clock* clock = &SystemClock();  // the points' time; app/ passes its clock
};

class History {
 public:
  // `registry` is read with Collect(); whoever registered families in it keeps them alive.
  History(std::shared_ptr<prometheus::Registry> registry, HistoryOptions options = {});
  ~History();  // Stop()
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Starts the sampler thread: a baseline at once, then a point every interval. Idempotent.
  void Start();
  // Stops and joins the sampler thread; idempotent.
  void Stop();

  // One sampling step at `t` (unix seconds): the thread's work, public for tests. The first
  // call only records the baseline (rates need two samples); later calls add a Point.
  void SampleAt(double t);

  // The points with t > newest - window_s as column arrays (see openapi.json DashboardData):
  // one `t` array and one array per series, the same length, null where there is no data.
  nlohmann::json ToJson(double window_s) const;

  std::size_t size() const;
  const HistoryOptions& options() const { return options_; }

 private:
  void Loop();

  std::shared_ptr<prometheus::Registry> registry_;
  HistoryOptions options_;

  mutable Mutex mu_;
  std::deque<Point> points_ MLPROD_GUARDED_BY(mu_);      // at most options_.capacity
  std::optional<Snapshot> last_ MLPROD_GUARDED_BY(mu_);  // the previous sample
  // Samples of the accuracy window (feedback fields only).
  std::deque<Snapshot> feedback_window_ MLPROD_GUARDED_BY(mu_);

  Mutex thread_mu_;
  std::condition_variable wake_;
  bool stopping_ MLPROD_GUARDED_BY(thread_mu_) = false;
  std::thread thread_ MLPROD_GUARDED_BY(thread_mu_);
};

// Serialises `points` (oldest first) in the ToJson shape. Pure; exposed for tests.
nlohmann::json SeriesJson(const std::deque<Point>& points, const HistoryOptions& options,
                          double window_s);

}  // namespace mlprod::api::dashboard
