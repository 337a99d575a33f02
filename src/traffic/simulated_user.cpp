#include "traffic/simulated_user.h"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>

#include "data/generate.h"
#include "data/labeller.h"
#include "traffic/api_json.h"

namespace mlprod::traffic {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::chrono::steady_clock::duration Seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(s));
}

const char* FailureKind(Failure f) {
  switch (f) {
    case Failure::kConnect:
      return "connect";
    case Failure::kTimeout:
      return "timeout";
    case Failure::kIo:
    case Failure::kNone:
      break;
  }
  return "io";
}

bool Is2xx(int status) { return status >= 200 && status < 300; }

}  // namespace

GroundTruth::GroundTruth(std::vector<Location> all) : locations(std::move(all)) {
  index.reserve(locations.size());
  for (std::size_t i = 0; i < locations.size(); ++i) index.emplace(locations[i].location_id, i);
}

bool RunShared::TakeLoop() {
  if (Stopping()) return false;
  if (max_loops == 0) return true;
  return loops_started.fetch_add(1, std::memory_order_relaxed) < max_loops;
}

SimulatedUser::SimulatedUser(int index, const TrafficOptions& options, const HttpUrl& url,
                             asio::ip::tcp::resolver::results_type endpoints,
                             asio::any_io_executor executor, RunShared& shared, TrafficStats& stats)
    : options_(options),
      url_(url),
      shared_(shared),
      stats_(stats),
      rng_(options.seed + static_cast<std::uint64_t>(index)),
      connection_(std::move(executor), std::move(endpoints), url.HostHeader()) {
  double total = 0;
  for (const auto& p : options.profiles) total += std::max(p.meta_n, 0);
  for (const auto& p : options.profiles) {
    profile_weights_.push_back(total > 0 ? std::max(p.meta_n, 0) : 1.0);
  }
  if (shared_.truth != nullptr) utilities_.reserve(shared_.truth->locations.size());
  shown_.reserve(kQualityDepth);
}

ListJudgement SimulatedUser::Judge(const data::UserProfile& profile, const User& user,
                                   const std::vector<Location>& shown) {
  const std::vector<Location>& all = shared_.truth->locations;
  utilities_.resize(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    utilities_[i] = data::ScoreLocation(profile, user, all[i]);
  }
  shown_.clear();
  for (const Location& loc : shown) {
    // A shown location the catalogue lacks (added after the run began) is scored from its row.
    const auto it = shared_.truth->index.find(loc.location_id);
    shown_.push_back(it != shared_.truth->index.end() ? utilities_[it->second]
                                                      : data::ScoreLocation(profile, user, loc));
  }
  return JudgeList(utilities_, shown_);
}

asio::awaitable<void> SimulatedUser::Run() {
  while (shared_.TakeLoop()) {
    const Step step = co_await Loop();
    if (step == Step::kAbandoned) break;
    if (step == Step::kFailed) {
      // Back off so a failing server is not hammered in a tight loop.
      co_await Sleep(std::max(0.1, options_.think ? options_.think_min_s : 0.0));
      continue;
    }
    if (options_.think) {
      co_await Sleep(rng_.UniformReal(options_.think_min_s, options_.think_max_s + 1e-9));
    }
  }
  connection_.Close();
}

asio::awaitable<SimulatedUser::Step> SimulatedUser::Loop() {
  const data::UserProfile& profile = options_.profiles[rng_.Weighted(profile_weights_)];
  const data::UserData user = data::GenerateUser(profile, options_.start_date, rng_);
  const Clock::time_point start = Clock::now();

  // Arguments of co_await calls are named locals: GCC 12 mishandles temporaries there.
  const std::string user_json = UserDataJson(user);
  std::string target, body;
  HttpOutcome r;
  while (true) {
    target = url_.base_path + "/inference/start";
    body = user_json;
    r = co_await Call(kRouteStart, http::verb::post, std::move(target), std::move(body));
    if (r.failure != Failure::kNone) co_return Step::kFailed;
    // Backpressure: the server wrote nothing; wait as long as it asks and try again.
    if (r.status != 503 || r.retry_after_s <= 0) break;
    ++stats_.refused;
    const double wait_s = r.retry_after_s;
    co_await Sleep(wait_s);
    if (shared_.Stopping()) co_return Step::kAbandoned;
  }
  if (!Is2xx(r.status)) {
    CountError("http_" + std::to_string(r.status));
    co_return Step::kFailed;
  }
  auto started = ParseTaskStatus(r.body);
  if (!started.ok()) {
    CountError("bad_json");
    co_return Step::kFailed;
  }
  const std::string task_id = started->task_id;

  // Wait for the task.
  while (true) {
    if (shared_.Stopping()) co_return Step::kAbandoned;
    if (MsSince(start) > options_.task_timeout_s * 1000) {
      CountError("task_timeout");
      co_return Step::kFailed;
    }
    target = url_.base_path + "/inference/status/" + task_id;
    int wait_s = 0;
    if (options_.long_poll) {
      // Never wait past the end of the run.
      const double left = std::chrono::duration<double>(shared_.deadline - Clock::now()).count();
      wait_s = static_cast<int>(
          std::clamp(std::ceil(left), 1.0, static_cast<double>(options_.long_poll_wait_s)));
      target += "?wait=" + std::to_string(wait_s);
    }
    const Clock::time_point asked = Clock::now();
    body.clear();
    r = co_await Call(kRouteStatus, http::verb::get, std::move(target), std::move(body), wait_s);
    if (r.failure != Failure::kNone) co_return Step::kFailed;
    if (r.status == 500 && r.body.find("Task failed") != std::string::npos) {
      CountError("task_failure");
      co_return Step::kFailed;
    }
    if (!Is2xx(r.status)) {
      CountError("http_" + std::to_string(r.status));
      co_return Step::kFailed;
    }
    auto status = ParseTaskStatus(r.body);
    if (!status.ok()) {
      CountError("bad_json");
      co_return Step::kFailed;
    }
    if (status->status == "SUCCESS") break;
    if (status->status == "FAILURE" || status->status == "REVOKED") {
      CountError("task_failure");
      co_return Step::kFailed;
    }
    // A server that ignores wait= answers at once; poll at the plain rate then.
    if (!options_.long_poll || MsSince(asked) < 100) co_await Sleep(options_.poll_interval_s);
  }
  stats_.start_to_success_ms.push_back(MsSince(start));

  target = url_.base_path + "/inference/results/" + task_id + "?limit=10";
  body.clear();
  r = co_await Call(kRouteResults, http::verb::get, std::move(target), std::move(body));
  if (r.failure != Failure::kNone) co_return Step::kFailed;
  if (!Is2xx(r.status)) {
    CountError("http_" + std::to_string(r.status));
    co_return Step::kFailed;
  }
  std::string model_id;
  auto locations = ParseResults(r.body, &model_id);
  if (!locations.ok()) {
    CountError("bad_json");
    co_return Step::kFailed;
  }
  // The map node outlives the loop, so the pointer stays valid for the pick below.
  QualityStats* quality = nullptr;
  if (shared_.truth != nullptr) {
    quality = &stats_.quality_by_model[model_id];
    quality->Add(Judge(profile, user.user, *locations));
  }

  if (rng_.Bernoulli(options_.feedback)) {
    const int pick = data::DecidePick(profile, user.user, *locations, rng_);
    const std::int64_t location_id =
        pick >= 0 ? (*locations)[static_cast<std::size_t>(pick)].location_id : -1;
    target = url_.base_path + "/inference/select/";
    body = SelectJson(task_id, location_id);
    r = co_await Call(kRouteSelect, http::verb::put, std::move(target), std::move(body));
    if (r.failure != Failure::kNone) co_return Step::kFailed;
    if (!Is2xx(r.status)) {
      CountError("http_" + std::to_string(r.status));
      co_return Step::kFailed;
    }
    ++(pick >= 0 ? stats_.picks : stats_.no_picks);
    if (quality != nullptr) ++(pick >= 0 ? quality->picks : quality->no_picks);
  }
  stats_.loop_ms.push_back(MsSince(start));
  ++stats_.loops;
  shared_.loops_done.fetch_add(1, std::memory_order_relaxed);
  co_return Step::kDone;
}

asio::awaitable<HttpOutcome> SimulatedUser::Call(const char* route, http::verb method,
                                                 std::string target, std::string body,
                                                 double extra_timeout_s) {
  ++stats_.requests[route];
  shared_.requests.fetch_add(1, std::memory_order_relaxed);
  const Clock::time_point start = Clock::now();
  const auto timeout = Seconds(options_.timeout_s + extra_timeout_s);
  HttpOutcome r = co_await connection_.Request(method, std::move(target), std::move(body), timeout);
  if (r.failure != Failure::kNone) {
    CountError(FailureKind(r.failure));
  } else {
    stats_.request_ms[route].push_back(MsSince(start));
  }
  co_return r;
}

asio::awaitable<void> SimulatedUser::Sleep(double seconds) {
  if (seconds <= 0) co_return;
  // Sleeping past the end of the run would only delay the summary; a stop request is looked at
  // every 100 ms.
  const auto until = std::min(Clock::now() + Seconds(seconds), shared_.deadline);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (Clock::now() < until && !shared_.Stopped()) {
    timer.expires_at(std::min(until, Clock::now() + std::chrono::milliseconds(100)));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void SimulatedUser::CountError(const std::string& kind) {
  ++stats_.errors[kind];
  shared_.errors.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace mlprod::traffic
