#include "tasks/retrain_rule.h"

#include <gtest/gtest.h>

namespace mlprod::tasks {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

RetrainInputs Quiet() {
  RetrainInputs in;
  in.since_last_run = hours(1);
  in.new_labels = 10;
  return in;
}

TEST(DecideRetrain, QuietInputsQueueNothing) {
  EXPECT_FALSE(DecideRetrain(Quiet(), RetrainOptions{}).has_value());
}

TEST(DecideRetrain, EnoughNewLabelsFireWithTheNumbersInTheReason) {
  RetrainInputs in = Quiet();
  in.new_labels = 5012;
  auto d = DecideRetrain(in, RetrainOptions{});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->trigger, RetrainTriggerKind::kLabels);
  EXPECT_EQ(d->reason, "auto: 5012 new labels since the last training (threshold 5000)");
  in.new_labels = 4999;
  EXPECT_FALSE(DecideRetrain(in, RetrainOptions{}).has_value());
}

TEST(DecideRetrain, ScheduleFiresAfterItsPeriodAndZeroTurnsItOff) {
  RetrainInputs in = Quiet();
  in.since_last_run = hours(24) + seconds(5);
  auto d = DecideRetrain(in, RetrainOptions{});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->trigger, RetrainTriggerKind::kSchedule);
  EXPECT_EQ(d->reason, "auto: 86405 s since the last training (every 86400 s)");
  RetrainOptions off;
  off.every = seconds(0);
  EXPECT_FALSE(DecideRetrain(in, off).has_value());
}

TEST(DecideRetrain, MajorDriftFiresAndZeroThresholdTurnsItOff) {
  RetrainInputs in = Quiet();
  in.drift = DriftEvidence{.max_psi = 0.31, .window = 500, .model_id = "m1", .source = "w1"};
  auto d = DecideRetrain(in, RetrainOptions{});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->trigger, RetrainTriggerKind::kDrift);
  EXPECT_EQ(d->reason,
            "auto: input drift PSI 0.310 on a full window of 500 requests (threshold 0.2, model "
            "m1, reported by w1)");
  RetrainOptions off;
  off.drift_psi = 0;
  EXPECT_FALSE(DecideRetrain(in, off).has_value());
  in.drift->max_psi = 0.19;
  EXPECT_FALSE(DecideRetrain(in, RetrainOptions{}).has_value());
}

TEST(DecideRetrain, NothingFiresWhileARunIsInFlightOrWithinTheMinimumGap) {
  RetrainInputs in = Quiet();
  in.new_labels = 100000;
  in.since_last_run = hours(48);
  in.in_flight = "train-1";
  EXPECT_FALSE(DecideRetrain(in, RetrainOptions{}).has_value());
  in.in_flight.clear();
  in.since_last_run = minutes(9);
  EXPECT_FALSE(DecideRetrain(in, RetrainOptions{}).has_value());
  in.since_last_run = minutes(10);
  EXPECT_TRUE(DecideRetrain(in, RetrainOptions{}).has_value());
}

TEST(DecideRetrain, LabelsComeFirstThenDriftThenSchedule) {
  RetrainInputs in = Quiet();
  in.since_last_run = hours(30);
  in.drift = DriftEvidence{.max_psi = 0.5, .window = 500};
  EXPECT_EQ(DecideRetrain(in, RetrainOptions{})->trigger, RetrainTriggerKind::kDrift);
  in.new_labels = 6000;
  EXPECT_EQ(DecideRetrain(in, RetrainOptions{})->trigger, RetrainTriggerKind::kLabels);
}

TEST(StrongestDrift, KeepsOnlyFreshFullWindowsAndPicksTheLargestPsi) {
  constexpr std::int64_t kNow = 1'800'000'000'000;
  const std::vector<store::DriftReport> reports{
      {.source = "stale",
       .max_psi = 0.9,
       .window_requests = 500,
       .window_size = 500,
       .updated_at_ms = kNow - 61'000},
      {.source = "filling",
       .max_psi = 0.8,
       .window_requests = 499,
       .window_size = 500,
       .updated_at_ms = kNow},
      {.source = "a",
       .model_id = "m",
       .max_psi = 0.25,
       .window_requests = 500,
       .window_size = 500,
       .updated_at_ms = kNow - 1000},
      {.source = "b",
       .max_psi = 0.1,
       .window_requests = 500,
       .window_size = 500,
       .updated_at_ms = kNow},
  };
  auto d = StrongestDrift(reports, kNow, seconds(60));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->source, "a");
  EXPECT_EQ(d->model_id, "m");
  EXPECT_DOUBLE_EQ(d->max_psi, 0.25);
  EXPECT_EQ(d->window, 500);
  EXPECT_FALSE(StrongestDrift({reports[0], reports[1]}, kNow, seconds(60)).has_value());
}

}  // namespace
}  // namespace mlprod::tasks
