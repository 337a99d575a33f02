// Logging setup: one spdlog logger to stderr, one line per event. Call InitLogging once from
// the composition root (app/); everything else just uses spdlog::info/warn/error. LogLimiter
// caps a repeating line (thread-safe); IgnoreError is what a caller does with a Status it cannot
// act on, instead of discarding it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"

namespace mlprod {

// level: trace|debug|info|warn|error|off. An unknown level is an error naming it.
Status InitLogging(std::string_view level);

// Lets at most `per_window` lines through per window and counts the rest, so a failing
// dependency (a full disk, a database that is down) logs a few lines a second, not one per
// request. Thread-safe.
class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogLimiter(int per_window = 5, Clock::duration window = std::chrono::seconds(1),
                      const mlprod::Clock& clock = SystemClock())
      : per_window_(per_window), window_(window), clock_(clock) {}
  // True when this line may be logged; then *suppressed is how many lines were dropped since
  // the previous one let through (to be mentioned in it). The first form reads the clock.
  bool Allow(long long* suppressed) { return Allow(suppressed, clock_.SteadyNow()); }
  bool Allow(long long* suppressed, Clock::time_point now);

 private:
  const int per_window_;
  const Clock::duration window_;
  const mlprod::Clock& clock_;
  Mutex mu_;
  Clock::time_point window_start_ MLPROD_GUARDED_BY(mu_){};
  int in_window_ MLPROD_GUARDED_BY(mu_) = 0;
  long long suppressed_ MLPROD_GUARDED_BY(mu_) = 0;
};

// For a Status the caller cannot act on — a best-effort compensation after an earlier failure,
// a requeue on a connection that is already gone, a lease given up on the way out — instead of
// `(void)`: a warning naming `site` and the error (at most five lines a second per site, with
// the number suppressed) and a count per site, exported as the counter
// mlprod_ignored_errors_total{site} with every /metrics (metrics::Exposition). Nothing for an
// OK status. Thread-safe.
void IgnoreError(std::string_view site, const Status& status);
// IgnoreError's counts so far, by site.
std::vector<std::pair<std::string, long long>> IgnoredErrorCounts();

}  // namespace mlprod
