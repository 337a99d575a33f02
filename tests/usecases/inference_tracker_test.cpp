#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "usecases/inference_tracker.h"

namespace mlprod::usecases {
namespace {

using Clock = InferenceTracker::Clock;
using std::chrono::seconds;

class InferenceTrackerTest : public ::testing::Test {
 protected:
  prometheus::Registry registry_;
  metrics::ApiMetrics metrics_{registry_, "api"};
  Clock::time_point t0_ = Clock::now();
};

TEST_F(InferenceTrackerTest, CountsStartedUntilSeenReady) {
  InferenceTracker tracker(&metrics_, seconds(60));
  tracker.Started("a", t0_);
  tracker.Started("b", t0_);
  tracker.Started("a", t0_);  // the same task twice counts once
  EXPECT_EQ(metrics_.active_inferences().Value(), 2);
  tracker.SeenReady("a");
  tracker.SeenReady("a");        // a second answer changes nothing
  tracker.SeenReady("unknown");  // nor does a task this API never started
  EXPECT_EQ(metrics_.active_inferences().Value(), 1);
  EXPECT_EQ(tracker.active(), 1u);
}

TEST_F(InferenceTrackerTest, ForgetsInferencesNobodyPolled) {
  InferenceTracker tracker(&metrics_, seconds(60));
  tracker.Started("abandoned", t0_);
  tracker.Started("recent", t0_ + seconds(30));
  tracker.Started("new", t0_ + seconds(61));  // sweeps: "abandoned" is 61 s old
  EXPECT_EQ(tracker.active(), 2u);
  EXPECT_EQ(metrics_.active_inferences().Value(), 2);
  tracker.SeenReady("abandoned");  // answered after being forgotten: no double decrement
  EXPECT_EQ(metrics_.active_inferences().Value(), 2);
}

TEST_F(InferenceTrackerTest, WithoutMetricsOnlyTracks) {
  InferenceTracker tracker(nullptr, seconds(60));
  tracker.Started("a", t0_);
  tracker.SeenReady("a");
  EXPECT_EQ(tracker.active(), 0u);
}

}  // namespace
}  // namespace mlprod::usecases
