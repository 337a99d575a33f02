#include "common/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace mlprod {
namespace {

TEST(Uuid, RandomIdsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = NewUuid();
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
  // The first 8 characters alone stay random (tests and lease holders use them as a short name).
  std::set<std::string> prefixes;
  for (int i = 0; i < 100; ++i) prefixes.insert(NewUuid().substr(0, 8));
  EXPECT_GT(prefixes.size(), 95u);
}

TEST(Uuid, TimeOrderedIdsCarryTheirMillisecondAndSortByTime) {
  // 2026-12-02T00:00:00.123Z = 1796169600123 ms = 0x01a2_340d_0c7b.
  const std::string id = TimeOrderedUuid(1796169600123LL, {});
  EXPECT_EQ(id, "01a2340d-0c7b-7000-8000-000000000000");
  const std::string full = TimeOrderedUuid(
      1796169600123LL, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(full, "01a2340d-0c7b-7fff-bfff-ffffffffffff");

  const auto t0 = std::chrono::system_clock::now();
  std::string previous = NewTimeOrderedUuid(t0);
  ASSERT_TRUE(IsUuid(previous));
  EXPECT_EQ(previous[14], '7');
  for (int step = 1; step <= 100; ++step) {
    const std::string next = NewTimeOrderedUuid(t0 + std::chrono::milliseconds(step));
    EXPECT_LT(previous, next);  // a later millisecond sorts after, whatever the random bits
    previous = next;
  }
  std::set<std::string> same_ms;
  for (int i = 0; i < 1000; ++i) same_ms.insert(NewTimeOrderedUuid(t0));
  EXPECT_EQ(same_ms.size(), 1000u);
}

}  // namespace
}  // namespace mlprod
