#include "common/periodic.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace mlprod {
namespace {

TEST(Periodic, RunsTheJobRepeatedlyUntilStopped) {
  std::atomic<int> runs{0};
  Periodic p;
  p.Start(std::chrono::milliseconds(5), [&] { ++runs; });
  for (int i = 0; i < 400 && runs < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  p.Stop();
  const int at_stop = runs;
  EXPECT_GE(at_stop, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(runs, at_stop) << "no run after Stop";
  p.Stop();  // twice is harmless
}

TEST(Periodic, StopWakesALongWaitAtOnceAndNeverStartedIsFine) {
  Periodic idle;
  idle.Stop();
  std::atomic<int> runs{0};
  Periodic p;
  p.Start(std::chrono::hours(1), [&] { ++runs; });
  const auto t0 = std::chrono::steady_clock::now();
  p.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace mlprod
