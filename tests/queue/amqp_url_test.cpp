#include "queue/amqp/amqp_url.h"

#include <gtest/gtest.h>

namespace mlprod::queue {
namespace {

TEST(AmqpUrl, ReadsCeleryStyleUrlWithRootVhost) {
  auto ep = ParseAmqpUrl("amqp://guest:guest@127.0.0.1:37579//");
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 37579);
  EXPECT_EQ(ep->user, "guest");
  EXPECT_EQ(ep->password, "guest");
  EXPECT_EQ(ep->vhost, "/");
}

TEST(AmqpUrl, PyamqpSchemeAndDefaultsLikeKombu) {
  auto ep = ParseAmqpUrl("pyamqp://rabbitmq/");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "rabbitmq");
  EXPECT_EQ(ep->port, 5672);
  EXPECT_EQ(ep->user, "guest");
  EXPECT_EQ(ep->vhost, "/");
}

TEST(AmqpUrl, DecodesEscapedVhostAndPassword) {
  auto ep = ParseAmqpUrl("amqp://u:p%40ss@h/my%2Fvhost");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->password, "p@ss");
  EXPECT_EQ(ep->vhost, "my/vhost");
}

TEST(AmqpUrl, RejectsMalformedUrls) {
  for (const char* bad :
       {"redis://h", "amqp://", "amqp://h:99999/", "amqp://h/%zz", "amqp://h/%2"}) {
    auto r = ParseAmqpUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mlprod::queue
