#include "traffic/url.h"

#include <gtest/gtest.h>

namespace mlprod::traffic {
namespace {

TEST(ParseHttpUrl, SplitsHostPortAndPrefix) {
  auto u = ParseHttpUrl("http://127.0.0.1:4789");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "4789");
  EXPECT_EQ(u->base_path, "");
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:4789");

  auto p = ParseHttpUrl("http://localhost/api/v1/");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->port, "80");
  EXPECT_EQ(p->base_path, "/api/v1");
  EXPECT_EQ(p->HostHeader(), "localhost");

  auto v6 = ParseHttpUrl("http://[::1]:8080/");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "8080");
  EXPECT_EQ(v6->HostHeader(), "[::1]:8080");  // bracketed again: a bare "::1:8080" is no Host
}

TEST(ParseHttpUrl, RejectsWhatItCannotServe) {
  for (const char* bad :
       {"127.0.0.1:4789", "https://localhost", "http://", "http://:80", "http://h:0",
        "http://h:99999", "http://h:8x", "http://h/a?b=1", "http://user@h/", "http://h/#x",
        "http://::1:80/", "http://[::1/", "http://h/?"}) {
    auto u = ParseHttpUrl(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_NE(u.error().message.find(bad), std::string::npos) << u.error().message;
    }
  }
  EXPECT_NE(ParseHttpUrl("https://x").error().message.find("only http://"), std::string::npos);
}

}  // namespace
}  // namespace mlprod::traffic
