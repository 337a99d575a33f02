#include <gtest/gtest.h>

#include "traffic/traffic.h"

namespace mlprod::traffic {
namespace {

TrafficOptions Valid() {
  TrafficOptions o;
  o.url = "http://127.0.0.1:4789";
  o.profiles.push_back(data::UserProfile{});
  return o;
}

TEST(ValidateOptions, AcceptsTheDefaults) {
  const Status s = ValidateOptions(Valid());
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(ValidateOptions, NamesTheOffendingFlag) {
  struct Case {
    void (*change)(TrafficOptions&);
    const char* flag;
  };
  const Case cases[] = {
      {[](TrafficOptions& o) { o.url = "ftp://x"; }, "--url"},
      {[](TrafficOptions& o) { o.users = 0; }, "--users"},
      {[](TrafficOptions& o) { o.duration_s = -1; }, "--duration"},
      {[](TrafficOptions& o) { o.think_max_s = 0.01; }, "--think-max"},
      {[](TrafficOptions& o) { o.feedback = 1.5; }, "--feedback"},
      {[](TrafficOptions& o) { o.profiles.clear(); }, "--profiles"},
      {[](TrafficOptions& o) { o.long_poll_wait_s = 31; }, "--long-poll-wait"},
      {[](TrafficOptions& o) { o.poll_interval_s = -0.1; }, "--poll-interval"},
      {[](TrafficOptions& o) { o.timeout_s = 0; }, "--timeout"},
      {[](TrafficOptions& o) { o.threads = 0; }, "--threads"},
  };
  for (const Case& c : cases) {
    TrafficOptions o = Valid();
    c.change(o);
    const Status s = ValidateOptions(o);
    ASSERT_FALSE(s.ok()) << c.flag;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find(c.flag), std::string::npos) << s.error().message;
  }
}

TEST(RunTraffic, ReportsAnUnreachableServerWithoutRunning) {
  TrafficOptions o = Valid();
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  o.url = "http://127.0.0.1:1";
  auto report = RunTraffic(o, {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(report.error().message.find("cannot reach http://127.0.0.1:1"), std::string::npos)
      << report.error().message;
}

}  // namespace
}  // namespace mlprod::traffic
