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

TEST(RedisUrl, ReadsPasswordWithOrWithoutUser) {
  EXPECT_EQ(ParseRedisUrl("redis://:s3cret@h:1/0")->password, "s3cret");
  EXPECT_EQ(ParseRedisUrl("redis://user:pw@h")->password, "pw");
}

TEST(RedisUrl, RejectsMalformedUrls) {
  for (const char* bad :
       {"http://h", "redis://h:notaport", "redis://h:0", "redis://h/x", "rediss://h", ""}) {
    auto r = ParseRedisUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mlprod::queue
