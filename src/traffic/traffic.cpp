#include "traffic/traffic.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <memory>
#include <thread>

#include "traffic/api_json.h"
#include "traffic/simulated_user.h"

namespace mlprod::traffic {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

Error Invalid(const std::string& message) {
  return MakeError(ErrorCode::kInvalidArgument, message);
}

bool Finite(double v) { return std::isfinite(v); }

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One GET / on its own connection: tells "server not there" apart from errors during the run.
asio::awaitable<void> Probe(tcp::resolver::results_type endpoints, HttpUrl url, double timeout_s,
                            HttpOutcome& out) {
  HttpConnection connection(co_await asio::this_coro::executor, std::move(endpoints),
                            url.HostHeader());
  // Named arguments: GCC 12 mishandles temporaries inside co_await expressions.
  std::string target = url.base_path.empty() ? std::string("/") : url.base_path + "/";
  std::string body;
  const auto timeout =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  out = co_await connection.Request(http::verb::get, std::move(target), std::move(body), timeout);
  connection.Close();
}

// Pages through GET /content/locations (?skip=&limit=, at most 1000 a page) until a short page.
asio::awaitable<void> FetchLocations(tcp::resolver::results_type endpoints, HttpUrl url,
                                     double timeout_s, std::vector<Location>& out,
                                     std::string& error) {
  constexpr std::size_t kPage = 1000;
  HttpConnection connection(co_await asio::this_coro::executor, std::move(endpoints),
                            url.HostHeader());
  const auto timeout =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  while (true) {
    std::string target = url.base_path + "/content/locations?skip=" + std::to_string(out.size()) +
                         "&limit=" + std::to_string(kPage);
    std::string body;
    HttpOutcome r =
        co_await connection.Request(http::verb::get, std::move(target), std::move(body), timeout);
    if (r.failure != Failure::kNone || r.status != 200) {
      error = "GET /content/locations: " +
              (r.failure != Failure::kNone ? r.error : "HTTP " + std::to_string(r.status));
      break;
    }
    auto page = ParseResults(r.body);
    if (!page.ok()) {
      error = "GET /content/locations: " + page.error().message;
      break;
    }
    out.insert(out.end(), page->begin(), page->end());
    if (page->size() < kPage) break;
  }
  connection.Close();
  if (error.empty() && out.empty()) error = "GET /content/locations: no locations";
  if (!error.empty()) out.clear();
}

asio::awaitable<void> ReportProgress(RunShared& shared, Clock::time_point start,
                                     const ProgressSink& sink, std::chrono::milliseconds every) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto next = Clock::now() + every;
  // Short ticks so the run ends promptly once the last user is done.
  while (shared.active_users.load() > 0) {
    timer.expires_after(std::chrono::milliseconds(50));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (Clock::now() >= next && shared.active_users.load() > 0) {
      next += every;
      if (sink) {
        sink(Progress{SecondsSince(start), shared.loops_done.load(), shared.requests.load(),
                      shared.errors.load()});
      }
    }
  }
}

}  // namespace

Status ValidateOptions(const TrafficOptions& o) {
  if (o.url.empty()) return Invalid("--url is required");
  if (auto url = ParseHttpUrl(o.url); !url.ok()) return Invalid("--url: " + url.error().message);
  if (o.users < 1 || o.users > 10000) return Invalid("--users must be in 1..10000");
  if (!Finite(o.duration_s) || o.duration_s < 0) return Invalid("--duration must be >= 0");
  if (!Finite(o.think_min_s) || !Finite(o.think_max_s) || o.think_min_s < 0 ||
      o.think_max_s < o.think_min_s) {
    return Invalid("--think-min and --think-max need 0 <= think-min <= think-max");
  }
  if (!Finite(o.feedback) || o.feedback < 0 || o.feedback > 1) {
    return Invalid("--feedback must be in [0, 1]");
  }
  if (o.profiles.empty()) return Invalid("--profiles: no user profiles");
  if (o.long_poll_wait_s < 1 || o.long_poll_wait_s > 30) {
    return Invalid("--long-poll-wait must be in 1..30");
  }
  if (!Finite(o.poll_interval_s) || o.poll_interval_s < 0 || o.poll_interval_s > 60) {
    return Invalid("--poll-interval must be in [0, 60]");
  }
  if (!Finite(o.timeout_s) || o.timeout_s <= 0) return Invalid("--timeout must be > 0");
  if (!Finite(o.task_timeout_s) || o.task_timeout_s <= 0) {
    return Invalid("--task-timeout must be > 0");
  }
  if (o.threads < 1 || o.threads > 64) return Invalid("--threads must be in 1..64");
  return OkStatus();
}

Result<TrafficReport> RunTraffic(const TrafficOptions& options, const ProgressSink& progress,
                                 std::chrono::milliseconds progress_every) {
  MLPROD_RETURN_IF_ERROR(ValidateOptions(options));
  const HttpUrl url = *ParseHttpUrl(options.url);

  asio::io_context ioc;
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  const auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot resolve " + url.host + ":" + url.port + ": " + ec.message());
  }

  HttpOutcome probe;
  asio::co_spawn(ioc, Probe(endpoints, url, options.timeout_s, probe), asio::detached);
  ioc.run();
  if (probe.failure != Failure::kNone) {
    return MakeError(ErrorCode::kUnavailable, "cannot reach " + options.url + ": " + probe.error);
  }
  ioc.restart();

  std::vector<Location> catalogue;
  std::string truth_error;
  asio::co_spawn(ioc, FetchLocations(endpoints, url, options.timeout_s, catalogue, truth_error),
                 asio::detached);
  ioc.run();
  ioc.restart();
  const std::size_t n_locations = catalogue.size();
  const GroundTruth truth(std::move(catalogue));

  RunShared shared;
  if (n_locations > 0) shared.truth = &truth;
  const Clock::time_point start = Clock::now();
  if (options.duration_s > 0) {
    shared.deadline = start + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(options.duration_s));
  }
  shared.max_loops = options.requests;
  shared.active_users = options.users;
  shared.stop = options.stop;

  std::vector<TrafficStats> stats(static_cast<std::size_t>(options.users));
  std::vector<std::unique_ptr<SimulatedUser>> users;
  users.reserve(stats.size());
  for (int i = 0; i < options.users; ++i) {
    auto strand = asio::make_strand(ioc);
    users.push_back(std::make_unique<SimulatedUser>(i, options, url, endpoints, strand, shared,
                                                    stats[static_cast<std::size_t>(i)]));
    asio::co_spawn(
        strand,
        [&shared, user = users.back().get()]() -> asio::awaitable<void> {
          co_await user->Run();
          shared.active_users.fetch_sub(1);
        },
        asio::detached);
  }
  asio::co_spawn(ioc, ReportProgress(shared, start, progress, progress_every), asio::detached);

  std::vector<std::thread> threads;
  for (int t = 1; t < options.threads; ++t) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();

  TrafficReport report;
  report.info = RunInfo{options.url, options.users, SecondsSince(start), n_locations, truth_error};
  report.stopped = shared.Stopped();
  for (const TrafficStats& s : stats) report.stats.Merge(s);
  return report;
}

}  // namespace mlprod::traffic
