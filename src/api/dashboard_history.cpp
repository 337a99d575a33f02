#include "api/dashboard_history.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <string>

namespace mlprod::api::dashboard {
namespace {

double UnixSeconds(Clock::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Fewer digits on the wire: the page polls the whole window every interval.
nlohmann::json Rounded(double v, double scale) {
  if (!std::isfinite(v)) return nullptr;
  return std::round(v * scale) / scale;
}

// Per-name columns; a point without the name gets `missing` (0 for rates, null otherwise).
nlohmann::json NamedColumns(const std::deque<Point>& points, NamedValues Point::*member,
                            double scale, bool missing_is_zero) {
  std::set<std::string> names;
  for (const Point& p : points) {
    for (const auto& [name, v] : p.*member) names.insert(name);
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& name : names) {
    nlohmann::json column = nlohmann::json::array();
    for (const Point& p : points) {
      const NamedValues& values = p.*member;  // sorted by name
      auto it = std::lower_bound(values.begin(), values.end(), name,
                                 [](const auto& e, const std::string& n) { return e.first < n; });
      const bool found = it != values.end() && it->first == name;
      column.push_back(Rounded(found ? it->second : missing_is_zero ? 0.0 : kNoData, scale));
    }
    out[name] = std::move(column);
  }
  return out;
}

}  // namespace

History::History(std::shared_ptr<prometheus::Registry> registry, HistoryOptions options)
    : registry_(std::move(registry)), options_(options) {}

History::~History() { Stop(); }

void History::Start() {
  MutexLock lock(thread_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void History::Stop() {
  std::thread t;
  {
    MutexLock lock(thread_mu_);
    stopping_ = true;
    t = std::move(thread_);
  }
  wake_.notify_all();
  if (t.joinable()) t.join();
}

void History::Loop() {
  const auto interval = std::chrono::duration<double>(options_.interval_s);
  // The pauses are real waits of a condition variable: they read the real clock.
  auto next = SystemClock().SteadyNow();
  for (;;) {
    SampleAt(UnixSeconds(options_.clock->Now()));
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
    // After a stall (suspended process), resume the rhythm instead of sampling in a burst.
    next = std::max(next, SystemClock().SteadyNow());
    MutexLock lock(thread_mu_);
    if (wake_.wait_until(lock.native(), next,
                         [this]() MLPROD_REQUIRES(thread_mu_) { return stopping_; })) {
      return;
    }
  }
}

void History::SampleAt(double t) {
  // Collect outside the lock: it walks every family of the process.
  Snapshot cur = Reduce(registry_->Collect(), t);
  MutexLock lock(mu_);
  if (last_) {
    while (feedback_window_.size() > 1 && feedback_window_[1].t <= t - options_.accuracy_window_s) {
      feedback_window_.pop_front();
    }
    const Snapshot& window_start = feedback_window_.empty() ? *last_ : feedback_window_.front();
    points_.push_back(Derive(*last_, cur, window_start));
    while (points_.size() > options_.capacity) points_.pop_front();
  }
  Snapshot feedback_only;
  feedback_only.t = t;
  feedback_only.feedback_good = cur.feedback_good;
  feedback_only.feedback_bad = cur.feedback_bad;
  feedback_window_.push_back(std::move(feedback_only));
  last_ = std::move(cur);
}

std::size_t History::size() const {
  MutexLock lock(mu_);
  return points_.size();
}

nlohmann::json History::ToJson(double window_s) const {
  std::deque<Point> copy;
  {
    MutexLock lock(mu_);
    const double newest = points_.empty() ? 0 : points_.back().t;
    auto it = points_.begin();
    while (it != points_.end() && it->t <= newest - window_s) ++it;
    copy.assign(it, points_.end());
  }
  return SeriesJson(copy, options_, window_s);
}

nlohmann::json SeriesJson(const std::deque<Point>& points, const HistoryOptions& options,
                          double window_s) {
  nlohmann::json t = nlohmann::json::array();
  nlohmann::json req = nlohmann::json::array(), err = nlohmann::json::array();
  nlohmann::json p50 = nlohmann::json::array(), p95 = nlohmann::json::array(),
                 p99 = nlohmann::json::array();
  nlohmann::json active = nlohmann::json::array(), acc_window = nlohmann::json::array(),
                 acc_total = nlohmann::json::array(), feedback = nlohmann::json::array();
  for (const Point& p : points) {
    t.push_back(Rounded(p.t, 1000));
    req.push_back(Rounded(p.request_rate, 1000));
    err.push_back(Rounded(p.error_rate, 1000));
    p50.push_back(Rounded(p.latency_p50_ms, 1000));
    p95.push_back(Rounded(p.latency_p95_ms, 1000));
    p99.push_back(Rounded(p.latency_p99_ms, 1000));
    active.push_back(Rounded(p.active_inferences, 1));
    acc_window.push_back(Rounded(p.accuracy_window, 10000));
    acc_total.push_back(Rounded(p.accuracy_total, 10000));
    feedback.push_back(Rounded(p.feedback_rate, 1000));
  }
  return {
      {"interval_s", options.interval_s},
      {"window_s", window_s},
      {"accuracy_window_s", options.accuracy_window_s},
      {"points", points.size()},
      {"t", std::move(t)},
      {"request_rate", std::move(req)},
      {"error_rate", std::move(err)},
      {"route_rates", NamedColumns(points, &Point::route_rates, 1000, true)},
      {"latency_ms", {{"p50", std::move(p50)}, {"p95", std::move(p95)}, {"p99", std::move(p99)}}},
      {"active_inferences", std::move(active)},
      {"accuracy", {{"window", std::move(acc_window)}, {"total", std::move(acc_total)}}},
      {"feedback_rate", std::move(feedback)},
      {"drift_psi", NamedColumns(points, &Point::drift_psi, 10000, false)},
      {"model_pick_rate", NamedColumns(points, &Point::model_pick_rate, 10000, false)},
  };
}

}  // namespace mlprod::api::dashboard
