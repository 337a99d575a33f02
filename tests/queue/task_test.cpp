#include "queue/task.h"

#include <gtest/gtest.h>

#include "queue/celery_time.h"

namespace mlprod::queue {
namespace {

using std::chrono::system_clock;

TEST(TaskState, NamesRoundTrip) {
  for (TaskState s : {TaskState::kPending, TaskState::kStarted, TaskState::kSuccess,
                      TaskState::kFailure, TaskState::kRetry, TaskState::kRevoked}) {
    EXPECT_EQ(ParseTaskState(TaskStateName(s)), s);
  }
  EXPECT_EQ(TaskStateName(TaskState::kRevoked), "REVOKED");
  EXPECT_FALSE(ParseTaskState("success").has_value());
  EXPECT_FALSE(ParseTaskState("").has_value());
}

TEST(TaskState, OnlySuccessFailureAndRevokedAreReady) {
  EXPECT_TRUE(IsReady(TaskState::kSuccess));
  EXPECT_TRUE(IsReady(TaskState::kFailure));
  EXPECT_TRUE(IsReady(TaskState::kRevoked));
  EXPECT_FALSE(IsReady(TaskState::kPending));
  EXPECT_FALSE(IsReady(TaskState::kStarted));
  EXPECT_FALSE(IsReady(TaskState::kRetry));
}

TEST(CeleryTime, ParsesCeleryEtaWithOffset) {
  auto t = ParseIsoTimestamp("2026-11-28T01:22:33.935992+00:00");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(FormatIsoTimestampUtc(*t), "2026-11-28T01:22:33.935992+00:00");
}

TEST(CeleryTime, AppliesOffsetsAndTreatsNaiveAsUtc) {
  auto plus = ParseIsoTimestamp("2026-11-28T03:22:33+02:00");
  auto naive = ParseIsoTimestamp("2026-11-28T01:22:33");
  auto zulu = ParseIsoTimestamp("2026-11-28 01:22:33.5Z");
  auto minus = ParseIsoTimestamp("2026-11-27T23:52:33-01:30");
  ASSERT_TRUE(plus.ok() && naive.ok() && zulu.ok() && minus.ok());
  EXPECT_EQ(*plus, *naive);
  EXPECT_EQ(*minus, *naive);
  EXPECT_EQ(*zulu - *naive, std::chrono::milliseconds(500));
}

TEST(CeleryTime, RejectsMalformedTimestamps) {
  for (const char* bad :
       {"", "2026-11-28", "2026-11-28T25:00:00", "2026-02-30T00:00:00", "2026-11-28T01:22:33.",
        "2026-11-28T01:22:33+0000", "2026-11-28T01:22:33 UTC", "2026-11-28T01:22:33+00:00x"}) {
    EXPECT_FALSE(ParseIsoTimestamp(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mlprod::queue
