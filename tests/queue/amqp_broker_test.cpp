// Against a real RabbitMQ (label `infra`): MLPROD_TEST_AMQP_URL, e.g. from scripts/services.sh.
// Each test uses its own queue and deletes it afterwards.
#include "queue/amqp/amqp_broker.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "common/uuid.h"
#include "queue/amqp/amqp_connection.h"
#include "queue/celery_time.h"

namespace mlprod::queue {
namespace {

using std::chrono::milliseconds;

class AmqpBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("MLPROD_TEST_AMQP_URL");
    if (url == nullptr || *url == '\0') GTEST_SKIP() << "MLPROD_TEST_AMQP_URL is not set";
    url_ = url;
    queue_ = "mlprod-test-" + NewUuid();
    broker_ = Make();
  }
  void TearDown() override {
    if (url_.empty()) return;
    broker_.reset();
    if (auto c = Raw(); c) {
      amqp_queue_delete(c->state(), AmqpConnection::kChannel, amqp_cstring_bytes(queue_.c_str()), 0,
                        0);
    }
  }
  std::unique_ptr<AmqpBroker> Make() {
    auto b = AmqpBroker::Create({.url = url_, .queue = queue_, .prefetch = 4});
    EXPECT_TRUE(b.ok());
    return b.ok() ? std::move(*b) : nullptr;
  }
  std::unique_ptr<AmqpConnection> Raw() {
    auto ep = ParseAmqpUrl(url_);
    auto c = AmqpConnection::Open(*ep, std::chrono::seconds(0), milliseconds(5000));
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(*c) : nullptr;
  }
  std::unique_ptr<Delivery> Take(AmqpBroker& b) {
    auto r = b.Next(milliseconds(10'000));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(*r) : nullptr;
  }
  static TaskMessage Msg(std::string id) {
    TaskMessage m;
    m.id = std::move(id);
    m.task = std::string(kInferenceTask);
    m.args = nlohmann::json::array({42});
    m.root_id = m.id;
    return m;
  }

  std::string url_, queue_;
  std::unique_ptr<AmqpBroker> broker_;
};

TEST_F(AmqpBrokerTest, DeliversWhatWasPublishedWithAllHeaders) {
  TaskMessage m = Msg(NewUuid());
  m.eta = "2026-11-28T01:22:33.935992+00:00";
  m.expires = FormatIsoTimestampUtc(std::chrono::system_clock::now() + std::chrono::hours(1));
  m.time_limit_hard = 300;
  m.time_limit_soft = 240;
  m.kwargs = {{"k", "v"}};
  ASSERT_TRUE(broker_->Publish(m).ok());
  auto d = Take(*broker_);
  ASSERT_NE(d, nullptr);
  const TaskMessage& got = d->message();
  EXPECT_EQ(got.id, m.id);
  EXPECT_EQ(got.task, m.task);
  EXPECT_EQ(got.args, m.args);
  EXPECT_EQ(got.kwargs, m.kwargs);
  EXPECT_EQ(got.eta, m.eta);
  EXPECT_EQ(got.expires, m.expires);
  EXPECT_EQ(got.time_limit_hard, 300);
  EXPECT_EQ(got.time_limit_soft, 240);
  EXPECT_FALSE(got.origin.empty());
  EXPECT_FALSE(d->redelivered());
  EXPECT_TRUE(d->published_at().has_value());
  EXPECT_TRUE(d->Ack().ok());
  EXPECT_EQ(broker_->Depth(), 0);
}

TEST_F(AmqpBrokerTest, RejectedWithRequeueComesBackRedelivered) {
  const std::string id = NewUuid();
  ASSERT_TRUE(broker_->Publish(Msg(id)).ok());
  ASSERT_TRUE(Take(*broker_)->Reject(true).ok());
  auto again = Take(*broker_);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->message().id, id);
  EXPECT_TRUE(again->redelivered());
  EXPECT_TRUE(again->Ack().ok());
}

TEST_F(AmqpBrokerTest, DestroyedUnsettledDeliveryIsRequeued) {
  const std::string id = NewUuid();
  ASSERT_TRUE(broker_->Publish(Msg(id)).ok());
  { auto d = Take(*broker_); }
  auto again = Take(*broker_);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->message().id, id);
  EXPECT_TRUE(again->Ack().ok());
}

TEST_F(AmqpBrokerTest, UndecodableMessageIsRejectedAndQueueKeepsFlowing) {
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(broker_->Ping().ok());  // declares the queue
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  ASSERT_EQ(amqp_basic_publish(raw->state(), AmqpConnection::kChannel, amqp_empty_bytes,
                               amqp_cstring_bytes(queue_.c_str()), 0, 0, &props,
                               amqp_cstring_bytes("not json")),
            AMQP_STATUS_OK);
  const std::string id = NewUuid();
  ASSERT_TRUE(broker_->Publish(Msg(id)).ok());
  auto d = Take(*broker_);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->message().id, id);
  EXPECT_TRUE(d->Ack().ok());
  EXPECT_EQ(broker_->Depth(), 0);
}

TEST_F(AmqpBrokerTest, HeldDeliveriesWidenThePrefetchWindow) {
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(broker_->Publish(Msg("t" + std::to_string(i))).ok());
  // The window (prefetch 4) is full of unsettled deliveries: nothing more arrives.
  std::vector<std::unique_ptr<Delivery>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(Take(*broker_));
    ASSERT_NE(held.back(), nullptr);
  }
  auto none = broker_->Next(milliseconds(500));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  // Held back on purpose (eta tasks): the window grows by as many, and the queue flows again.
  broker_->AddHeld(4);
  auto fifth = Take(*broker_);
  ASSERT_NE(fifth, nullptr);
  EXPECT_EQ(fifth->message().id, "t4");
  ASSERT_TRUE(fifth->Ack().ok());
  auto sixth = Take(*broker_);
  ASSERT_NE(sixth, nullptr);
  EXPECT_EQ(sixth->message().id, "t5");
  ASSERT_TRUE(sixth->Ack().ok());
  for (auto& d : held) ASSERT_TRUE(d->Ack().ok());
  broker_->AddHeld(-4);
  // Back to 4 from the next Next on (what the broker sent before stays sent), so a fresh batch
  // again stops after four unsettled ones.
  auto idle = broker_->Next(milliseconds(100));
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(*idle, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(broker_->Publish(Msg("u" + std::to_string(i))).ok());
  held.clear();
  for (int i = 0; i < 4; ++i) {
    held.push_back(Take(*broker_));
    ASSERT_NE(held.back(), nullptr);
  }
  none = broker_->Next(milliseconds(500));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  for (auto& d : held) ASSERT_TRUE(d->Ack().ok());
}

TEST_F(AmqpBrokerTest, RefusesTaskWithMalformedEta) {
  TaskMessage m = Msg(NewUuid());
  m.eta = "in five minutes";
  auto st = broker_->Publish(m);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(AmqpBrokerTest, NextTimesOutWithNullWhenEmpty) {
  auto r = broker_->Next(milliseconds(100));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, nullptr);
}

TEST_F(AmqpBrokerTest, ClosedBrokerRefusesWork) {
  broker_->Close();
  EXPECT_FALSE(broker_->Publish(Msg(NewUuid())).ok());
  auto r = broker_->Next(milliseconds(10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

std::string WithQuery(const std::string& url, const std::string& kv) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + kv;
}

TEST_F(AmqpBrokerTest, IdleConnectionsWithShortHeartbeatStayUsable) {
  auto b = AmqpBroker::Create({.url = WithQuery(url_, "heartbeat=2"), .queue = queue_});
  ASSERT_TRUE(b.ok()) << b.error().message;
  AmqpBroker& broker = **b;
  ASSERT_TRUE(broker.Publish(Msg(NewUuid())).ok());
  auto first = Take(broker);
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->Ack().ok());
  // The control: a bare rabbitmq-c connection with the same heartbeat, left alone as long, is
  // dropped, because rabbitmq-c answers heartbeats only inside library calls.
  auto ep = ParseAmqpUrl(url_);
  auto bare = AmqpConnection::Open(*ep, std::chrono::seconds(2), milliseconds(5000));
  ASSERT_TRUE(bare.ok()) << bare.error().message;

  // Idle ~7 s (more than three intervals); a message published by someone else meanwhile
  // arrives while no thread is in Next.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const std::string while_idle = NewUuid();
  ASSERT_TRUE(broker_->Publish(Msg(while_idle)).ok());
  std::this_thread::sleep_for(std::chrono::seconds(4));

  amqp_queue_declare((*bare)->state(), AmqpConnection::kChannel, amqp_cstring_bytes(queue_.c_str()),
                     1, 1, 0, 0, amqp_empty_table);
  EXPECT_FALSE((*bare)->CheckRpc("queue.declare after idling").ok())
      << "the control connection survived: the test no longer shows anything";

  auto second = Take(broker);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->message().id, while_idle);
  EXPECT_TRUE(second->Ack().ok());
  EXPECT_TRUE(broker.Publish(Msg(NewUuid())).ok());
  EXPECT_EQ(broker.Reconnects(), 0) << "an idle connection was dropped and had to be reopened";
}

TEST_F(AmqpBrokerTest, UnreachableBrokerIsUnavailable) {
  auto b =
      AmqpBroker::Create({.url = "amqp://guest:guest@127.0.0.1:1//", .timeout = milliseconds(500)});
  ASSERT_TRUE(b.ok());
  auto st = (*b)->Publish(Msg("x"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace mlprod::queue
