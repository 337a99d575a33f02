#include "common/url.h"

#include <gtest/gtest.h>

namespace mlprod {
namespace {

TEST(Url, SplitsEveryPart) {
  auto u = ParseUrl("AMQP://us%40er:p%3Aw@broker.local:5673/v%2Fhost?heartbeat=30&x=a%26b");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->scheme, "amqp");
  EXPECT_EQ(u->user, "us@er");
  EXPECT_EQ(u->password, "p:w");
  EXPECT_EQ(u->host, "broker.local");
  EXPECT_FALSE(u->ipv6);
  EXPECT_EQ(u->port, 5673);
  EXPECT_EQ(u->path, "/v%2Fhost");
  EXPECT_EQ(u->Query("heartbeat"), "30");
  EXPECT_EQ(u->Query("x"), "a&b");
  EXPECT_EQ(u->Query("missing"), std::nullopt);
}

TEST(Url, ReadsIpv6LiteralsWithAndWithoutPort) {
  auto a = ParseUrl("amqp://[::1]/");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->host, "::1");
  EXPECT_TRUE(a->ipv6);
  EXPECT_EQ(a->port, std::nullopt);
  EXPECT_EQ(a->path, "/");
  auto b = ParseUrl("redis://:pw@[2001:db8::7]:6380/2");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->host, "2001:db8::7");
  EXPECT_EQ(b->port, 6380);
  EXPECT_EQ(b->user, "");
  EXPECT_EQ(b->password, "pw");
  auto c = ParseUrl("http://[::ffff:127.0.0.1]:80");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->host, "::ffff:127.0.0.1");
}

TEST(Url, TellsAbsentUserInfoFromEmptyParts) {
  auto none = ParseUrl("redis://h");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->user, std::nullopt);
  EXPECT_EQ(none->password, std::nullopt);
  auto user_only = ParseUrl("redis://alice@h");
  ASSERT_TRUE(user_only.ok());
  EXPECT_EQ(user_only->user, "alice");
  EXPECT_EQ(user_only->password, std::nullopt);
  auto empty_host = ParseUrl("amqp:///");
  ASSERT_TRUE(empty_host.ok());
  EXPECT_EQ(empty_host->host, "");
}

TEST(Url, LastAtEndsTheUserInfo) {
  auto u = ParseUrl("amqp://u:p@ss@h/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->password, "p@ss");
  EXPECT_EQ(u->host, "h");
}

TEST(Url, RejectsMalformedUrls) {
  for (const char* bad : {"",
                          "h:1",
                          "://h",
                          "1amqp://h",
                          "am qp://h",
                          "amqp://h:0",
                          "amqp://h:65536",
                          "amqp://h:",
                          "amqp://h:12a",
                          "amqp://h:123456",
                          "amqp://::1/",
                          "amqp://[::1",
                          "amqp://[::1]x",
                          "amqp://[zz::1]/",
                          "amqp://[]/",
                          "amqp://h/%zz",
                          "amqp://h/%2",
                          "amqp://u:%4@h",
                          "amqp://h/a b",
                          "amqp://h/\x01",
                          "amqp://h/\xc3\xa9",
                          "http://h/#frag",
                          "amqp://u:p%00w@h",
                          "amqp://h?%00=1",
                          "amqp://h?=1",
                          "amqp://h%00/",
                          "amqp://h%0a/",
                          "amqp://h<x>/"}) {
    auto r = ParseUrl(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(Url, ErrorsDoNotRepeatThePassword) {
  auto r = ParseUrl("amqp://u:s3cret@h:99999/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("s3cret"), std::string::npos) << r.error().message;
}

TEST(Url, FormatRedactsThePassword) {
  auto u = ParseUrl("redis://user:s3cret@[::1]:6379/0");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(FormatUrl(*u, /*redact_password=*/true), "redis://user:***@[::1]:6379/0");
  EXPECT_EQ(FormatUrl(*u), "redis://user:s3cret@[::1]:6379/0");
}

TEST(Url, PercentEncodeKeepsOnlyUnreservedBytes) {
  EXPECT_EQ(PercentEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(PercentEncode("p@ss:w/rd?#%"), "p%40ss%3Aw%2Frd%3F%23%25");
  EXPECT_EQ(*PercentDecode(PercentEncode("\xff\x01 x")), "\xff\x01 x");
  EXPECT_FALSE(PercentDecode("%00").ok());
}

}  // namespace
}  // namespace mlprod
