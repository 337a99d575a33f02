#include <gtest/gtest.h>

#include "queue/redis/redis_connection.h"

namespace mlprod::queue {
namespace {

TEST(RedisUrl, ReadsHostPortAndDb) {
  auto ep = ParseRedisUrl("redis://127.0.0.1:47621/3");
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 47621);
  EXPECT_EQ(ep->db, 3);
  EXPECT_EQ(ep->password, "");
}

TEST(RedisUrl, DefaultsLikeCelery) {
  auto ep = ParseRedisUrl("redis://redis/");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "redis");
  EXPECT_EQ(ep->port, 6379);
  EXPECT_EQ(ep->db, 0);
}

TEST(RedisUrl, ReadsAclUserOrDefaultUserPassword) {
  auto def = ParseRedisUrl("redis://:s3cret@h:1/0");
  ASSERT_TRUE(def.ok()) << def.error().message;
  EXPECT_EQ(def->user, "");
  EXPECT_EQ(def->password, "s3cret");
  auto acl = ParseRedisUrl("redis://alice:p%40w@h");
  ASSERT_TRUE(acl.ok()) << acl.error().message;
  EXPECT_EQ(acl->user, "alice");
  EXPECT_EQ(acl->password, "p@w");
}

TEST(RedisUrl, ReadsIpv6Hosts) {
  auto ep = ParseRedisUrl("redis://[::1]:6380/2");
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->db, 2);
}

TEST(RedisUrl, RefusesTlsWithAClearErrorThatHidesThePassword) {
  auto r = ParseRedisUrl("rediss://:s3cret@h:6380/0");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("TLS"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("s3cret"), std::string::npos) << r.error().message;
}

TEST(RedisUrl, RejectsMalformedUrls) {
  for (const char* bad :
       {"http://h", "redis://h:notaport", "redis://h:0", "redis://h/x", "rediss://h", "",
        "redis://alice@h", "redis://h/0?ssl=true", "redis://::1/", "redis://h/-1"}) {
    auto r = ParseRedisUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mlprod::queue
