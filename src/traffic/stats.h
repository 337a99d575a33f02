// What a traffic run measured: latencies, request counts by route, errors by kind, and the
// summary built from them (text and JSON). Not the load generator. A TrafficStats belongs to one
// simulated user (no locking); the runner merges them after the run.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "traffic/quality.h"

namespace mlprod::traffic {

// Nearest-rank percentile (p in (0, 100]) of unsorted samples; nullopt when there are none.
std::optional<double> Percentile(std::vector<double> samples, double p);

struct LatencySummary {
  std::size_t count = 0;
  std::optional<double> p50_ms, p95_ms, p99_ms, max_ms;
};
LatencySummary Summarize(const std::vector<double>& samples_ms);

// The routes a simulated user calls, named by their path templates (as the server's metrics do).
inline constexpr const char* kRouteStart = "POST /inference/start";
inline constexpr const char* kRouteStatus = "GET /inference/status/{task_id}";
inline constexpr const char* kRouteResults = "GET /inference/results/{task_id}";
inline constexpr const char* kRouteSelect = "PUT /inference/select/";

// Error kinds: "http_<status>", "timeout", "connect", "io", "task_failure", "task_timeout",
// "bad_json".
struct TrafficStats {
  std::uint64_t loops = 0;
  std::uint64_t picks = 0;     // select calls naming a location
  std::uint64_t no_picks = 0;  // select calls with location_id -1
  // 503 answers with Retry-After to POST /inference/start (backpressure): waited out and
  // retried, not errors.
  std::uint64_t refused = 0;
  std::vector<double> start_to_success_ms;
  std::vector<double> loop_ms;                            // start → select, without think time
  std::map<std::string, std::vector<double>> request_ms;  // by route, successful answers only
  std::map<std::string, std::uint64_t> requests;          // by route, every attempt
  std::map<std::string, std::uint64_t> errors;            // by kind
  // Ground-truth quality by the model_id of the result list ("" when the rows name none).
  std::map<std::string, QualityStats> quality_by_model;

  void Merge(const TrafficStats& other);
  std::uint64_t ErrorCount() const;
};

struct RunInfo {
  std::string url;
  int users = 0;
  double elapsed_s = 0;
  // Locations read from GET /content/locations for the ground truth; 0 when that failed (then
  // ground_truth_error says why and the quality fields are null).
  std::size_t locations = 0;
  std::string ground_truth_error;
};

// {"url","users","elapsed_s","loops","loops_per_s","picks","no_picks","refused",
//  "start_to_success_ms":{count,p50,p95,p99,max},"loop_ms":{...},
//  "requests":{route:{"count","p50_ms","p95_ms","p99_ms"}},"requests_total",
//  "errors":{kind:n},"errors_total","locations",
//  "quality":QualityJson (all loops),"quality_by_model":{model_id:QualityJson}};
// missing percentiles are null; quality fields are null without ground truth.
nlohmann::json SummaryJson(const RunInfo& info, const TrafficStats& stats);
// The same summary for people, several lines.
std::string SummaryText(const RunInfo& info, const TrafficStats& stats);

}  // namespace mlprod::traffic
