// The one source of time. Code under src/ reads the time only through a `Clock`: app/ takes
// the system one (SystemClock) and hands it to every component that decides by time — task
// expiry and eta, result expiry, leases, retention cutoffs, model refresh, rate limits, the
// timestamps it writes — and tests hand the same components tests/fakes/fake_clock.h instead.
// A deadline handed to the operating system or Asio for a real wait (a socket poll, a timer)
// reads SystemClock() by name, because that wait runs in real time whatever a fake says.
#pragma once

#include <chrono>

namespace mlprod {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Calendar time: timestamps stored or sent, eta/expires, retention cutoffs.
  virtual WallTime Now() const = 0;
  // Monotonic time: intervals, ages, deadlines, rate-limit windows.
  virtual SteadyTime SteadyNow() const = 0;
};

// The real clocks (std::chrono::system_clock and steady_clock); stateless and thread-safe.
const Clock& SystemClock();

}  // namespace mlprod
