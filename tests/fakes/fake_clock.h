// A Clock the test moves by hand: both readings start at fixed points and advance together
// only by Advance/Set. Thread-safe, so a component's own threads may read it. Test code only.
#pragma once

#include <chrono>
#include <mutex>

#include "common/clock.h"

namespace mlprod::testing {

class FakeClock final : public Clock {
 public:
  // Wall time starts at the real time of construction (stored rows and message timestamps stay
  // plausible); steady time at an arbitrary large value (so "now - window" never underflows).
  FakeClock()
      : wall_(std::chrono::system_clock::now()),
        steady_(SteadyTime(std::chrono::hours(24 * 365))) {}

  WallTime Now() const override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  SteadyTime SteadyNow() const override {
    std::lock_guard lock(mu_);
    return steady_;
  }
  void Advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  }
  void SetWall(WallTime t) {
    std::lock_guard lock(mu_);
    wall_ = t;
  }

 private:
  mutable std::mutex mu_;
  WallTime wall_;
  SteadyTime steady_;
};

}  // namespace mlprod::testing
