#include "api/dashboard_series.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string_view>

namespace mlprod::api::dashboard {
namespace {

std::string_view LabelOf(const prometheus::ClientMetric& m, std::string_view name) {
  for (const auto& l : m.label) {
    if (l.name == name) return l.value;
  }
  return {};
}

bool IsDashboardRoute(const prometheus::ClientMetric& m) {
  return LabelOf(m, "path").starts_with(kDashboardPrefix);
}

NamedValues ToNamed(const std::map<std::string, double>& m) { return {m.begin(), m.end()}; }

// A counter that went down was reset: everything it holds now is new.
double Delta(double before, double now) {
  if (std::isnan(now)) return 0;
  if (std::isnan(before) || now < before) return now;
  return now - before;
}

double ValueOf(const NamedValues& values, const std::string& name) {
  auto it = std::lower_bound(values.begin(), values.end(), name,
                             [](const auto& p, const std::string& n) { return p.first < n; });
  return it != values.end() && it->first == name ? it->second : 0.0;
}

double Ratio(double good, double bad) {
  const double all = good + bad;
  return all > 0 ? good / all : kNoData;
}

void ReduceRequests(const prometheus::MetricFamily& f, Snapshot& s) {
  std::map<std::string, double> by_route;
  for (const auto& m : f.metric) {
    if (IsDashboardRoute(m)) continue;
    std::string key(LabelOf(m, "method"));
    key += ' ';
    key += LabelOf(m, "path");
    by_route[key] += m.counter.value;
    s.requests_total += m.counter.value;
    const std::string_view code = LabelOf(m, "status_code");
    int status = 0;
    std::from_chars(code.data(), code.data() + code.size(), status);
    if (status >= 500) s.server_errors += m.counter.value;
  }
  s.requests = ToNamed(by_route);
}

void ReduceLatency(const prometheus::MetricFamily& f, Snapshot& s) {
  std::map<double, double> by_bound;
  for (const auto& m : f.metric) {
    if (IsDashboardRoute(m)) continue;
    for (const auto& b : m.histogram.bucket) {
      by_bound[b.upper_bound] += static_cast<double>(b.cumulative_count);
    }
  }
  for (const auto& [bound, count] : by_bound) {
    s.latency_bounds.push_back(bound);
    s.latency_counts.push_back(count);
  }
}

}  // namespace

Snapshot Reduce(const std::vector<prometheus::MetricFamily>& families, double t) {
  Snapshot s;
  s.t = t;
  for (const auto& f : families) {
    if (f.name == "api_request_total") {
      ReduceRequests(f, s);
    } else if (f.name == "api_processing_time") {
      ReduceLatency(f, s);
    } else if (f.name == "api_active_inferences") {
      s.active_inferences = 0;
      for (const auto& m : f.metric) s.active_inferences += m.gauge.value;
    } else if (f.name == "api_inference_feedback_total") {
      s.feedback_good = s.feedback_bad = 0;
      for (const auto& m : f.metric) {
        const std::string_view outcome = LabelOf(m, "outcome");
        if (outcome == "good") s.feedback_good += m.counter.value;
        if (outcome == "bad") s.feedback_bad += m.counter.value;
      }
    } else if (f.name == "api_model_feedback_total") {
      std::map<std::string, double> picks, no_picks;
      for (const auto& m : f.metric) {
        const std::string model(LabelOf(m, "model_id"));
        const std::string_view outcome = LabelOf(m, "outcome");
        if (outcome == "pick") picks[model] += m.counter.value;
        if (outcome == "no_pick") no_picks[model] += m.counter.value;
      }
      s.model_picks = ToNamed(picks);
      s.model_no_picks = ToNamed(no_picks);
    } else if (f.name == "drift_psi") {
      std::map<std::string, double> by_feature;
      for (const auto& m : f.metric) {
        const double v =
            f.type == prometheus::MetricType::Untyped ? m.untyped.value : m.gauge.value;
        auto [it, added] = by_feature.emplace(std::string(LabelOf(m, "feature")), v);
        if (!added) it->second = std::max(it->second, v);
      }
      s.drift_psi = ToNamed(by_feature);
    }
  }
  return s;
}

double HistogramQuantile(double q, const std::vector<double>& bounds,
                         const std::vector<double>& cumulative_deltas) {
  if (bounds.empty() || bounds.size() != cumulative_deltas.size()) return kNoData;
  const double total = cumulative_deltas.back();
  if (!(total > 0)) return kNoData;
  const double rank = q * total;
  std::size_t i = 0;
  while (i + 1 < bounds.size() && cumulative_deltas[i] < rank) ++i;
  if (std::isinf(bounds[i])) return i > 0 ? bounds[i - 1] : kNoData;
  const double lower = i > 0 ? bounds[i - 1] : 0.0;
  const double below = i > 0 ? cumulative_deltas[i - 1] : 0.0;
  const double inside = cumulative_deltas[i] - below;
  if (inside <= 0) return bounds[i];
  return lower + (bounds[i] - lower) * (rank - below) / inside;
}

Point Derive(const Snapshot& prev, const Snapshot& cur, const Snapshot& window_start) {
  Point p;
  p.t = cur.t;
  const double dt = cur.t - prev.t;
  const auto rate = [dt](double before, double now) {
    return dt > 0 ? Delta(before, now) / dt : kNoData;
  };
  p.request_rate = rate(prev.requests_total, cur.requests_total);
  p.error_rate = rate(prev.server_errors, cur.server_errors);
  for (const auto& [route, count] : cur.requests) {
    const double r = rate(ValueOf(prev.requests, route), count);
    if (r > 0) p.route_rates.emplace_back(route, r);
  }

  std::vector<double> deltas = cur.latency_counts;
  if (prev.latency_bounds == cur.latency_bounds) {
    for (std::size_t i = 0; i < deltas.size(); ++i) {
      deltas[i] = Delta(prev.latency_counts[i], cur.latency_counts[i]);
    }
  }
  p.latency_p50_ms = HistogramQuantile(0.50, cur.latency_bounds, deltas) * 1000;
  p.latency_p95_ms = HistogramQuantile(0.95, cur.latency_bounds, deltas) * 1000;
  p.latency_p99_ms = HistogramQuantile(0.99, cur.latency_bounds, deltas) * 1000;

  p.active_inferences = cur.active_inferences;
  p.accuracy_total = Ratio(cur.feedback_good, cur.feedback_bad);
  p.accuracy_window = Ratio(Delta(window_start.feedback_good, cur.feedback_good),
                            Delta(window_start.feedback_bad, cur.feedback_bad));
  if (std::isnan(cur.feedback_good)) {
    p.feedback_rate = kNoData;
  } else {
    p.feedback_rate =
        rate(prev.feedback_good + prev.feedback_bad, cur.feedback_good + cur.feedback_bad);
  }
  p.drift_psi = cur.drift_psi;
  for (const auto& [model, picks] : cur.model_picks) {
    const double rate = Ratio(picks, ValueOf(cur.model_no_picks, model));
    if (!std::isnan(rate)) p.model_pick_rate.emplace_back(model, rate);
  }
  return p;
}

}  // namespace mlprod::api::dashboard
