// The pure part of the /dashboard history: a process's own Prometheus families reduced to a
// small Snapshot, and one chart Point derived from two snapshots (rates, latency percentiles,
// live accuracy, drift). No clock, no thread, no lock: plain values, safe to use anywhere.
#pragma once

#include <prometheus/metric_family.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace mlprod::api::dashboard {

// Series keyed by name, sorted by name: "POST /inference/start" → value, "budget" → PSI.
using NamedValues = std::vector<std::pair<std::string, double>>;

inline constexpr double kNoData = std::numeric_limits<double>::quiet_NaN();

// Cumulative values read from one Registry::Collect(). Missing families leave their fields
// absent (NaN / empty): the drift and feedback families need not exist.
struct Snapshot {
  double t = 0;                        // unix seconds of the collection
  NamedValues requests;                // api_request_total per "METHOD path", summed over statuses
  double requests_total = 0;           // sum of `requests`
  double server_errors = 0;            // api_request_total with status_code >= 500
  std::vector<double> latency_bounds;  // api_processing_time upper bounds (+Inf last)
  std::vector<double> latency_counts;  // cumulative count per bound, summed over series
  double active_inferences = kNoData;  // api_active_inferences; NaN when absent
  double feedback_good = kNoData;      // api_inference_feedback_total{outcome="good"}; NaN
  double feedback_bad = kNoData;       // ...{outcome="bad"}; NaN when absent
  NamedValues drift_psi;               // drift_psi per `feature` label (max over other labels)
  NamedValues model_picks;             // api_model_feedback_total{outcome="pick"} per model_id
  NamedValues model_no_picks;          // ...{outcome="no_pick"} per model_id
};

// One chart sample. NaN means "no data" (serialised as JSON null).
struct Point {
  double t = 0;
  double request_rate = 0;  // requests/s over the interval
  double error_rate = 0;    // 5xx answers/s over the interval
  NamedValues route_rates;  // requests/s per "METHOD path"; only routes with traffic
  double latency_p50_ms = 0, latency_p95_ms = 0, latency_p99_ms = 0;  // NaN: no requests
  double active_inferences = 0;
  double accuracy_window = 0;  // good/(good+bad) over the accuracy window; NaN: no feedback
  double accuracy_total = 0;   // good/(good+bad) since the process started; NaN: no feedback
  double feedback_rate = 0;    // answers (good + bad) per second over the interval
  NamedValues drift_psi;
  // picks/(picks + no_picks) per model since the process started (api_model_feedback_total);
  // only models with at least one counted answer.
  NamedValues model_pick_rate;
};

// Routes under this prefix (the page and its polling) are left out of every derived series,
// so an idle server charts no traffic while someone watches it.
inline constexpr std::string_view kDashboardPrefix = "/dashboard";

Snapshot Reduce(const std::vector<prometheus::MetricFamily>& families, double t);

// `prev` is the previous sample; `window_start` the sample at the start of the accuracy window
// (both may be the same). A counter that went down counts from zero (a reset).
Point Derive(const Snapshot& prev, const Snapshot& cur, const Snapshot& window_start);

// Prometheus's histogram_quantile over bucket deltas: linear interpolation inside the bucket
// that holds the rank; the +Inf bucket answers its lower bound. NaN when the deltas are empty.
double HistogramQuantile(double q, const std::vector<double>& bounds,
                         const std::vector<double>& cumulative_deltas);

}  // namespace mlprod::api::dashboard
