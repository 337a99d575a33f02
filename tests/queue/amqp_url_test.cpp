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

TEST(AmqpUrl, ReadsIpv6HostsWithAndWithoutPort) {
  auto a = ParseAmqpUrl("amqp://[::1]/");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 5672);
  auto b = ParseAmqpUrl("amqp://u:p@[2001:db8::2]:5673//");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->host, "2001:db8::2");
  EXPECT_EQ(b->port, 5673);
  EXPECT_EQ(b->vhost, "/");
}

TEST(AmqpUrl, ReadsHeartbeatLikeKombu) {
  EXPECT_EQ(ParseAmqpUrl("amqp://h//")->heartbeat, std::nullopt);
  EXPECT_EQ(ParseAmqpUrl("amqp://h//?heartbeat=2")->heartbeat, std::chrono::seconds(2));
  EXPECT_EQ(ParseAmqpUrl("amqp://h/?heartbeat=0")->heartbeat, std::chrono::seconds(0));
  for (const char* bad : {"amqp://h/?heartbeat=", "amqp://h/?heartbeat=-1",
                          "amqp://h/?heartbeat=1.5", "amqp://h/?heartbeat=99999"}) {
    EXPECT_FALSE(ParseAmqpUrl(bad).ok()) << bad;
  }
}

TEST(AmqpUrl, RefusesTlsAndUnknownOptionsInsteadOfConnectingInClear) {
  auto tls = ParseAmqpUrl("amqps://u:s3cret@h:5671//");
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().message.find("TLS"), std::string::npos) << tls.error().message;
  EXPECT_EQ(tls.error().message.find("s3cret"), std::string::npos) << tls.error().message;
  auto ssl = ParseAmqpUrl("amqp://h//?ssl=1");
  ASSERT_FALSE(ssl.ok());
  EXPECT_NE(ssl.error().message.find("'ssl'"), std::string::npos) << ssl.error().message;
}

TEST(AmqpUrl, RejectsMalformedUrls) {
  for (const char* bad : {"redis://h", "amqp://", "amqp://h:99999/", "amqp://h/%zz", "amqp://h/%2",
                          "amqp://::1/", "amqp://[::1/", "amqp://h:0/", "amqp://h/v%00"}) {
    auto r = ParseAmqpUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mlprod::queue
