#include "common/time_util.h"

#include <gtest/gtest.h>

namespace mlprod {
namespace {

TEST(Date, ParsesAndFormatsRealDates) {
  auto d = ParseDate("2024-02-29");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2024-02-29");
}

TEST(Date, RejectsImpossibleAndMalformedDates) {
  for (const char* s : {"2023-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-01T00",
                        "abcd-ef-gh", "", "1800-01-01"}) {
    EXPECT_FALSE(ParseDate(s).ok()) << s;
  }
}

TEST(Timestamp, FormatsNaiveUtcWithMicroseconds) {
  using namespace std::chrono;
  const auto t =
      sys_days{year{2026} / 11 / 28} + hours{1} + minutes{22} + seconds{33} + microseconds{935992};
  EXPECT_EQ(FormatTimestamp(t), "2026-11-28T01:22:33.935992");
}

}  // namespace
}  // namespace mlprod
