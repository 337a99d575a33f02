#include "common/deadline.h"

#include <algorithm>

namespace mlprod {
namespace {

thread_local std::optional<Clock::SteadyTime> current;

}  // namespace

DeadlineScope::DeadlineScope(Clock::SteadyTime deadline) : previous_(current) {
  current = previous_ ? std::min(*previous_, deadline) : deadline;
}

DeadlineScope::~DeadlineScope() { current = previous_; }

std::optional<Clock::SteadyTime> CurrentDeadline() { return current; }

std::chrono::milliseconds WithinDeadline(std::chrono::milliseconds limit) {
  if (!current) return limit;
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(*current - SystemClock().SteadyNow());
  return std::clamp(left, std::chrono::milliseconds(0), limit);
}

}  // namespace mlprod
