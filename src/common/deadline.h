// A request's deadline, carried to the blocking calls it makes without a parameter on each: a
// DeadlineScope sets it for the calls made inside it on this thread, and code that waits (the
// store's connection pool and statements) bounds its own limit by what is left of it. Scopes
// nest; the earlier deadline wins. Deadlines are real (steady) time: they bound real waits.
// Thread-local, so a scope must not span a coroutine's suspension (the API sets it around the
// work of one blocking-pool task, api/offload.h).
#pragma once

#include <chrono>
#include <optional>

#include "common/clock.h"

namespace mlprod {

class DeadlineScope {
 public:
  explicit DeadlineScope(Clock::SteadyTime deadline);
  ~DeadlineScope();
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  std::optional<Clock::SteadyTime> previous_;
};

// This thread's deadline, when a scope set one.
std::optional<Clock::SteadyTime> CurrentDeadline();

// `limit`, or what is left of this thread's deadline when that is less (zero once it passed).
std::chrono::milliseconds WithinDeadline(std::chrono::milliseconds limit);

}  // namespace mlprod
