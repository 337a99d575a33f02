#include "common/deadline.h"

#include <gtest/gtest.h>

#include <thread>

namespace mlprod {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Deadline, NoScopeLeavesTheLimit) {
  EXPECT_FALSE(CurrentDeadline().has_value());
  EXPECT_EQ(WithinDeadline(milliseconds(5000)), milliseconds(5000));
}

TEST(Deadline, ALaterDeadlineLeavesTheLimitAnEarlierOneCutsIt) {
  const auto now = SystemClock().SteadyNow();
  {
    const DeadlineScope far(now + seconds(3600));
    EXPECT_EQ(WithinDeadline(milliseconds(5000)), milliseconds(5000));
    {
      const DeadlineScope near(now + seconds(2));
      const auto left = WithinDeadline(milliseconds(5000));
      EXPECT_LE(left, milliseconds(2000));
      EXPECT_GT(left, milliseconds(0));
    }
    EXPECT_EQ(*CurrentDeadline(), now + seconds(3600));  // restored
  }
  EXPECT_FALSE(CurrentDeadline().has_value());
}

TEST(Deadline, AnInnerScopeNeverExtendsTheOuterOne) {
  const auto now = SystemClock().SteadyNow();
  const DeadlineScope outer(now + seconds(1));
  const DeadlineScope inner(now + seconds(3600));
  EXPECT_EQ(*CurrentDeadline(), now + seconds(1));
}

TEST(Deadline, APassedDeadlineLeavesNothing) {
  const DeadlineScope passed(SystemClock().SteadyNow() - milliseconds(1));
  EXPECT_EQ(WithinDeadline(milliseconds(5000)), milliseconds(0));
}

TEST(Deadline, EachThreadHasItsOwn) {
  const DeadlineScope here(SystemClock().SteadyNow() - milliseconds(1));
  std::optional<Clock::SteadyTime> there = SystemClock().SteadyNow();
  std::thread([&] { there = CurrentDeadline(); }).join();
  EXPECT_FALSE(there.has_value());
}

}  // namespace
}  // namespace mlprod
