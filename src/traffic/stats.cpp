#include "traffic/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlprod::traffic {

std::optional<double> Percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return std::nullopt;
  const std::size_t n = samples.size();
  // Nearest rank: the smallest sample with at least p% of the samples at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank - 1),
                   samples.end());
  return samples[rank - 1];
}

LatencySummary Summarize(const std::vector<double>& samples_ms) {
  LatencySummary s;
  s.count = samples_ms.size();
  s.p50_ms = Percentile(samples_ms, 50);
  s.p95_ms = Percentile(samples_ms, 95);
  s.p99_ms = Percentile(samples_ms, 99);
  s.max_ms = Percentile(samples_ms, 100);
  return s;
}

void TrafficStats::Merge(const TrafficStats& o) {
  loops += o.loops;
  picks += o.picks;
  no_picks += o.no_picks;
  start_to_success_ms.insert(start_to_success_ms.end(), o.start_to_success_ms.begin(),
                             o.start_to_success_ms.end());
  loop_ms.insert(loop_ms.end(), o.loop_ms.begin(), o.loop_ms.end());
  for (const auto& [route, v] : o.request_ms) {
    auto& mine = request_ms[route];
    mine.insert(mine.end(), v.begin(), v.end());
  }
  for (const auto& [route, n] : o.requests) requests[route] += n;
  for (const auto& [kind, n] : o.errors) errors[kind] += n;
  refused += o.refused;
  for (const auto& [model, q] : o.quality_by_model) quality_by_model[model].Merge(q);
}

std::uint64_t TrafficStats::ErrorCount() const {
  std::uint64_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

namespace {

nlohmann::json Ms(const std::optional<double>& v) {
  // Microsecond resolution is plenty and keeps the JSON readable.
  return v ? nlohmann::json(std::round(*v * 1000) / 1000) : nlohmann::json(nullptr);
}

nlohmann::json LatencyJson(const std::vector<double>& samples) {
  const LatencySummary s = Summarize(samples);
  return {{"count", s.count},
          {"p50", Ms(s.p50_ms)},
          {"p95", Ms(s.p95_ms)},
          {"p99", Ms(s.p99_ms)},
          {"max", Ms(s.max_ms)}};
}

double PerSecond(std::uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

std::string MsText(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *v);
  return buf;
}

std::string LatencyLine(const std::vector<double>& samples) {
  const LatencySummary s = Summarize(samples);
  return "p50 " + MsText(s.p50_ms) + " ms, p95 " + MsText(s.p95_ms) + " ms, p99 " +
         MsText(s.p99_ms) + " ms (n=" + std::to_string(s.count) + ")";
}

}  // namespace

nlohmann::json SummaryJson(const RunInfo& info, const TrafficStats& stats) {
  nlohmann::json requests = nlohmann::json::object();
  std::uint64_t requests_total = 0;
  for (const auto& [route, count] : stats.requests) {
    const auto it = stats.request_ms.find(route);
    const LatencySummary s =
        Summarize(it == stats.request_ms.end() ? std::vector<double>{} : it->second);
    requests[route] = {{"count", count},
                       {"p50_ms", Ms(s.p50_ms)},
                       {"p95_ms", Ms(s.p95_ms)},
                       {"p99_ms", Ms(s.p99_ms)}};
    requests_total += count;
  }
  nlohmann::json errors = nlohmann::json::object();
  for (const auto& [kind, count] : stats.errors) errors[kind] = count;
  nlohmann::json quality = nullptr;
  nlohmann::json by_model = nullptr;
  if (info.locations > 0) {
    quality = QualityJson(Overall(stats.quality_by_model));
    by_model = nlohmann::json::object();
    for (const auto& [model, q] : stats.quality_by_model) by_model[model] = QualityJson(q);
  }
  return {{"url", info.url},
          {"users", info.users},
          {"elapsed_s", std::round(info.elapsed_s * 1000) / 1000},
          {"loops", stats.loops},
          {"loops_per_s", std::round(PerSecond(stats.loops, info.elapsed_s) * 1000) / 1000},
          {"picks", stats.picks},
          {"no_picks", stats.no_picks},
          {"refused", stats.refused},
          {"start_to_success_ms", LatencyJson(stats.start_to_success_ms)},
          {"loop_ms", LatencyJson(stats.loop_ms)},
          {"requests", requests},
          {"requests_total", requests_total},
          {"errors", errors},
          {"errors_total", stats.ErrorCount()},
          {"locations", info.locations},
          {"quality", quality},
          {"quality_by_model", by_model}};
}

std::string SummaryText(const RunInfo& info, const TrafficStats& stats) {
  char head[256];
  std::snprintf(head, sizeof head,
                "traffic summary: %llu loops in %.1f s (%.2f loops/s), %d users\n",
                static_cast<unsigned long long>(stats.loops), info.elapsed_s,
                PerSecond(stats.loops, info.elapsed_s), info.users);
  std::string out = head;
  out += "  start -> SUCCESS: " + LatencyLine(stats.start_to_success_ms) + "\n";
  out += "  whole loop:       " + LatencyLine(stats.loop_ms) + "\n";
  out += "  feedback: " + std::to_string(stats.picks) + " picks, " +
         std::to_string(stats.no_picks) + " no-picks\n";
  out += "  requests:\n";
  for (const auto& [route, count] : stats.requests) {
    const auto it = stats.request_ms.find(route);
    out += "    " + route + ": " + std::to_string(count) + "  " +
           LatencyLine(it == stats.request_ms.end() ? std::vector<double>{} : it->second) + "\n";
  }
  if (stats.refused > 0) {
    out += "  refused by backpressure (503 + Retry-After, waited and retried): " +
           std::to_string(stats.refused) + "\n";
  }
  out += "  errors: " + std::to_string(stats.ErrorCount());
  for (const auto& [kind, count] : stats.errors) out += "  " + kind + "=" + std::to_string(count);
  out += "\n";
  if (info.locations == 0) {
    out += "  quality: no ground truth (" + info.ground_truth_error + ")\n";
    return out;
  }
  out += "  quality vs ground truth (" + std::to_string(info.locations) + " locations):\n";
  out += "    all: " + QualityLine(Overall(stats.quality_by_model)) + "\n";
  for (const auto& [model, q] : stats.quality_by_model) {
    out += "    model " + (model.empty() ? std::string("(none)") : model) + ": " + QualityLine(q) +
           "\n";
  }
  return out;
}

}  // namespace mlprod::traffic
