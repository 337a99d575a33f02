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

TEST(Timestamp, ParsesWhatTheStoreWritesBackToTheSameInstant) {
  using namespace std::chrono;
  const auto t =
      sys_days{year{2026} / 11 / 28} + hours{1} + minutes{22} + seconds{33} + microseconds{935992};
  auto full = ParseTimestamp("2026-11-28T01:22:33.935992Z");
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(*full, t);
  auto short_fraction = ParseTimestamp("2026-11-28 01:22:33.9");
  ASSERT_TRUE(short_fraction.ok());
  EXPECT_EQ(*short_fraction, t - microseconds{35992});
  auto whole = ParseTimestamp("2026-11-28T01:22:33Z");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, t - microseconds{935992});
}

TEST(Timestamp, RejectsMalformedTimestamps) {
  EXPECT_FALSE(ParseTimestamp("2026-11-28").ok());
  EXPECT_FALSE(ParseTimestamp("2026-11-28T25:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("2026-11-28T01:22:33+02").ok());
  EXPECT_FALSE(ParseTimestamp("2026-02-30T01:22:33Z").ok());
}

TEST(Duration, ReadsWholeNumbersWithAnOptionalUnit) {
  EXPECT_EQ(*ParseDuration("0"), std::chrono::seconds(0));
  EXPECT_EQ(*ParseDuration("90"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseDuration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseDuration("10m"), std::chrono::minutes(10));
  EXPECT_EQ(*ParseDuration("24h"), std::chrono::hours(24));
  EXPECT_EQ(*ParseDuration("2d"), std::chrono::hours(48));
  for (const char* bad : {"", "h", "1.5h", "-1m", "10 m", "10ms", "5w"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mlprod
