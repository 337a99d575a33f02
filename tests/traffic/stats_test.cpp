#include "traffic/stats.h"

#include <gtest/gtest.h>

namespace mlprod::traffic {
namespace {

TEST(Percentile, UsesTheNearestRank) {
  const std::vector<double> v = {15, 20, 35, 40, 50};
  EXPECT_EQ(Percentile(v, 5), 15);
  EXPECT_EQ(Percentile(v, 30), 20);
  EXPECT_EQ(Percentile(v, 40), 20);
  EXPECT_EQ(Percentile(v, 50), 35);
  EXPECT_EQ(Percentile(v, 100), 50);
  EXPECT_FALSE(Percentile({}, 50).has_value());
  EXPECT_EQ(Percentile({7}, 99), 7);
}

TEST(Percentile, IgnoresInputOrder) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  EXPECT_EQ(Percentile(v, 95), 95);
  EXPECT_EQ(Percentile(v, 99), 99);
  EXPECT_EQ(Percentile(v, 50), 50);
}

TEST(TrafficStats, MergeAddsCountsAndPoolsSamples) {
  TrafficStats a, b;
  a.loops = 2;
  a.loop_ms = {1, 2};
  a.requests[kRouteStart] = 2;
  a.errors["timeout"] = 1;
  b.loops = 1;
  b.picks = 1;
  b.loop_ms = {3};
  b.requests[kRouteStart] = 1;
  b.requests[kRouteSelect] = 1;
  b.errors["timeout"] = 2;
  b.errors["http_500"] = 1;
  a.Merge(b);
  EXPECT_EQ(a.loops, 3u);
  EXPECT_EQ(a.picks, 1u);
  EXPECT_EQ(a.loop_ms, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(a.requests[kRouteStart], 3u);
  EXPECT_EQ(a.requests[kRouteSelect], 1u);
  EXPECT_EQ(a.errors["timeout"], 3u);
  EXPECT_EQ(a.ErrorCount(), 4u);
}

TEST(SummaryJson, HasTheDocumentedShape) {
  TrafficStats s;
  s.loops = 4;
  s.picks = 1;
  s.no_picks = 3;
  s.start_to_success_ms = {10, 20, 30, 40};
  s.loop_ms = {11, 21, 31, 41};
  s.requests[kRouteStart] = 5;
  s.request_ms[kRouteStart] = {1, 2, 3, 4};
  s.requests[kRouteStatus] = 4;
  s.errors["connect"] = 1;
  const auto j = SummaryJson(RunInfo{"http://127.0.0.1:1", 2, 2.0}, s);
  EXPECT_EQ(j["url"], "http://127.0.0.1:1");
  EXPECT_EQ(j["users"], 2);
  EXPECT_EQ(j["loops"], 4);
  EXPECT_DOUBLE_EQ(j["loops_per_s"].get<double>(), 2.0);
  EXPECT_EQ(j["picks"], 1);
  EXPECT_EQ(j["no_picks"], 3);
  EXPECT_EQ(j["start_to_success_ms"]["count"], 4);
  EXPECT_DOUBLE_EQ(j["start_to_success_ms"]["p50"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(j["start_to_success_ms"]["p99"].get<double>(), 40);
  EXPECT_DOUBLE_EQ(j["loop_ms"]["p95"].get<double>(), 41);
  EXPECT_EQ(j["requests"][kRouteStart]["count"], 5);
  EXPECT_DOUBLE_EQ(j["requests"][kRouteStart]["p50_ms"].get<double>(), 2);
  // Status requests were counted but none answered: no latency to report.
  EXPECT_TRUE(j["requests"][kRouteStatus]["p50_ms"].is_null());
  EXPECT_EQ(j["requests_total"], 9);
  EXPECT_EQ(j["errors"]["connect"], 1);
  EXPECT_EQ(j["errors_total"], 1);
}

TEST(SummaryJson, EmptyRunHasNullPercentilesAndZeroRate) {
  const auto j = SummaryJson(RunInfo{"u", 1, 0.0}, TrafficStats{});
  EXPECT_EQ(j["loops"], 0);
  EXPECT_EQ(j["loops_per_s"], 0.0);
  EXPECT_TRUE(j["loop_ms"]["p50"].is_null());
  EXPECT_TRUE(j["errors"].is_object());
  EXPECT_TRUE(j["errors"].empty());
}

TEST(SummaryText, NamesLoopsRatesAndErrors) {
  TrafficStats s;
  s.loops = 10;
  s.errors["http_503"] = 2;
  const std::string text = SummaryText(RunInfo{"u", 3, 5.0}, s);
  EXPECT_NE(text.find("10 loops in 5.0 s (2.00 loops/s), 3 users"), std::string::npos) << text;
  EXPECT_NE(text.find("errors: 2  http_503=2"), std::string::npos) << text;
}

}  // namespace
}  // namespace mlprod::traffic
