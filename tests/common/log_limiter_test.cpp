#include <gtest/gtest.h>

#include "common/log.h"

namespace mlprod {
namespace {

using std::chrono::milliseconds;

TEST(LogLimiter, LetsAFewLinesThroughPerWindowAndCountsTheRest) {
  LogLimiter limiter(2, milliseconds(1000));
  const auto t0 = LogLimiter::Clock::time_point{} + std::chrono::hours(1);
  long long suppressed = -1;
  EXPECT_TRUE(limiter.Allow(&suppressed, t0));
  EXPECT_EQ(suppressed, 0);
  EXPECT_TRUE(limiter.Allow(&suppressed, t0 + milliseconds(1)));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Allow(&suppressed, t0 + milliseconds(2 + i)));
  // The next window's first line reports the five dropped ones, the second none.
  EXPECT_TRUE(limiter.Allow(&suppressed, t0 + milliseconds(1000)));
  EXPECT_EQ(suppressed, 5);
  EXPECT_TRUE(limiter.Allow(&suppressed, t0 + milliseconds(1001)));
  EXPECT_EQ(suppressed, 0);
  EXPECT_FALSE(limiter.Allow(&suppressed, t0 + milliseconds(1002)));
}

}  // namespace
}  // namespace mlprod
