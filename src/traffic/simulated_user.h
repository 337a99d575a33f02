// One simulated user's loop (start → status → results → select → think) and the run state all
// users share. Not the runner (traffic.h). A SimulatedUser lives on one strand; RunShared is
// atomics only and safe from any thread.
#pragma once

#include <utility>  // Boost 1.74's coroutine headers need it first.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/records.h"
#include "data/profiles.h"

#include "data/random.h"
#include "traffic/http_client.h"
#include "traffic/stats.h"
#include "traffic/traffic.h"
#include "traffic/url.h"

namespace mlprod::traffic {

using Clock = std::chrono::steady_clock;

// Every location the server knows, read once before the run, to score whole catalogues.
struct GroundTruth {
  std::vector<Location> locations;
  std::unordered_map<std::int64_t, std::size_t> index;  // location_id → position in locations

  explicit GroundTruth(std::vector<Location> all);
};

struct RunShared {
  Clock::time_point deadline = Clock::time_point::max();
  std::uint64_t max_loops = 0;  // 0 = no limit
  std::atomic<std::uint64_t> loops_started{0};
  std::atomic<std::uint64_t> loops_done{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<int> active_users{0};
  const GroundTruth* truth = nullptr;       // null: no quality measurement
  const std::atomic<bool>* stop = nullptr;  // TrafficOptions::stop

  bool Stopped() const { return stop != nullptr && stop->load(std::memory_order_relaxed); }
  bool Stopping() const { return Stopped() || Clock::now() >= deadline; }
  // Claims the next loop, or false when the run is over.
  bool TakeLoop();
};

class SimulatedUser {
 public:
  SimulatedUser(int index, const TrafficOptions& options, const HttpUrl& url,
                boost::asio::ip::tcp::resolver::results_type endpoints,
                boost::asio::any_io_executor executor, RunShared& shared, TrafficStats& stats);

  // Loops until the run is over.
  boost::asio::awaitable<void> Run();

 private:
  enum class Step { kDone, kFailed, kAbandoned };

  boost::asio::awaitable<Step> Loop();
  // Sends one request, counts it, and records its latency or its error kind.
  boost::asio::awaitable<HttpOutcome> Call(const char* route, boost::beast::http::verb method,
                                           std::string target, std::string body,
                                           double extra_timeout_s = 0);
  boost::asio::awaitable<void> Sleep(double seconds);
  void CountError(const std::string& kind);
  // The person's utility for every location and for the shown list, judged (needs truth).
  ListJudgement Judge(const data::UserProfile& profile, const User& user,
                      const std::vector<Location>& shown);

  const TrafficOptions& options_;
  const HttpUrl& url_;
  RunShared& shared_;
  TrafficStats& stats_;
  data::Rng rng_;
  // Profiles are drawn in proportion to meta_n, as `mlprod dataset` weights them (uniformly when
  // every meta_n is 0), so default traffic has the training data's distribution.
  std::vector<double> profile_weights_;
  HttpConnection connection_;
  std::vector<double> utilities_;  // reused scratch: one utility per known location
  std::vector<double> shown_;      // reused scratch: the shown list's utilities
};

}  // namespace mlprod::traffic
