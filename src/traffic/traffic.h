// `mlprod traffic`'s engine: N simulated users driving any server that speaks the API (SPEC §3,
// §7) over keep-alive HTTP/1.1, on Asio coroutines. Not the command line (app/cmd_traffic.cpp).
// RunTraffic blocks until the run ends; the progress sink is called from a run thread.
#pragma once

#include <atomic>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "data/profiles.h"
#include "traffic/stats.h"

namespace mlprod::traffic {

struct TrafficOptions {
  std::string url;             // http://HOST[:PORT][/PREFIX]; required
  int users = 8;               // concurrent simulated users. Default: 8
  double duration_s = 30;      // stop after this long; 0 = no limit. Default: 30
  std::uint64_t requests = 0;  // stop after this many loops in total; 0 = no limit. Default: 0
  bool think = true;           // think between loops. Default: true
  double think_min_s = 0.1;    // think time is uniform in [min, max]. Default: 0.1
  double think_max_s = 3.0;    // Default: 3
  double feedback = 1.0;       // probability that a loop ends with a select. Default: 1
  std::vector<data::UserProfile> profiles;  // drawn in proportion to meta_n; required
  std::uint64_t seed = 42;                  // user i draws from seed + i. Default: 42
  bool long_poll = true;          // GET status with ?wait=; else plain polling. Default: true
  int long_poll_wait_s = 5;       // the wait= value. Default: 5
  double poll_interval_s = 0.05;  // pause between plain polls. Default: 0.05
  double timeout_s = 10;          // per request (long polls get their wait on top). Default: 10
  double task_timeout_s = 60;     // start → SUCCESS longer than this is an error. Default: 60
  int threads = 1;                // I/O threads. Default: 1
  // Arrival dates are drawn after this day. Default: today (UTC).
  std::chrono::sys_days start_date = std::chrono::floor<std::chrono::days>(SystemClock().Now());
  // When set and it becomes true (e.g. from a SIGINT handler), the run ends as at its deadline:
  // no new loop, waits cut short, the report of what ran. Default: none
  const std::atomic<bool>* stop = nullptr;
};

// Checks ranges and consistency; errors name the option as the command line spells it.
Status ValidateOptions(const TrafficOptions& options);

struct Progress {
  double elapsed_s = 0;
  std::uint64_t loops = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
};
using ProgressSink = std::function<void(const Progress&)>;

struct TrafficReport {
  RunInfo info;
  TrafficStats stats;
  bool stopped = false;  // TrafficOptions::stop ended the run before its limits
};

// Probes the server first (GET / on one connection): when it cannot be reached at all the
// result is kUnavailable and nothing runs. Then reads every location (GET /content/locations) for
// the ground-truth quality; when that fails the run goes on without it (RunInfo says why).
// Otherwise runs to the end and reports; errors during the run are counted, not returned.
Result<TrafficReport> RunTraffic(
    const TrafficOptions& options, const ProgressSink& progress,
    std::chrono::milliseconds progress_every = std::chrono::seconds(2));

}  // namespace mlprod::traffic
