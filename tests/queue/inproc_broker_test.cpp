#include "queue/inproc/inproc_broker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

namespace mlprod::queue {
namespace {

using std::chrono::milliseconds;

TaskMessage Msg(std::string id) {
  TaskMessage m;
  m.id = std::move(id);
  m.task = std::string(kInferenceTask);
  return m;
}

std::unique_ptr<Delivery> Take(InprocBroker& b, milliseconds timeout = milliseconds(5000)) {
  auto r = b.Next(timeout);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(InprocBroker, DeliversInPublishOrder) {
  InprocBroker b;
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(b.Publish(Msg(id)).ok());
  EXPECT_EQ(b.Depth(), 3);
  for (const char* id : {"a", "b", "c"}) {
    auto d = Take(b);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->message().id, id);
    EXPECT_FALSE(d->redelivered());
    EXPECT_TRUE(d->published_at().has_value());
    EXPECT_TRUE(d->Ack().ok());
  }
  EXPECT_EQ(b.Depth(), 0);
  EXPECT_EQ(b.Unacked(), 0);
}

TEST(InprocBroker, NextReturnsNullOnTimeout) {
  InprocBroker b;
  auto r = b.Next(milliseconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, nullptr);
}

TEST(InprocBroker, AckedMessageIsGone) {
  InprocBroker b;
  ASSERT_TRUE(b.Publish(Msg("a")).ok());
  auto d = Take(b);
  EXPECT_EQ(b.Unacked(), 1);
  ASSERT_TRUE(d->Ack().ok());
  EXPECT_EQ(b.Unacked(), 0);
  EXPECT_EQ(b.Depth(), 0);
  EXPECT_FALSE(d->Ack().ok());  // settled twice is a conflict
  EXPECT_FALSE(d->Reject(true).ok());
}

TEST(InprocBroker, RejectWithoutRequeueDropsMessage) {
  InprocBroker b;
  ASSERT_TRUE(b.Publish(Msg("poison")).ok());
  ASSERT_TRUE(Take(b)->Reject(false).ok());
  EXPECT_EQ(b.Depth(), 0);
  EXPECT_EQ(b.Unacked(), 0);
}

TEST(InprocBroker, RequeuedMessageComesBackFirstMarkedRedelivered) {
  InprocBroker b;
  ASSERT_TRUE(b.Publish(Msg("a")).ok());
  ASSERT_TRUE(b.Publish(Msg("b")).ok());
  ASSERT_TRUE(Take(b)->Reject(true).ok());
  auto again = Take(b);
  EXPECT_EQ(again->message().id, "a");
  EXPECT_TRUE(again->redelivered());
}

TEST(InprocBroker, DestroyedUnsettledDeliveryIsRequeued) {
  InprocBroker b;
  ASSERT_TRUE(b.Publish(Msg("a")).ok());
  { auto d = Take(b); }
  EXPECT_EQ(b.Depth(), 1);
  EXPECT_EQ(b.Unacked(), 0);
  EXPECT_TRUE(Take(b)->redelivered());
}

TEST(InprocBroker, DeliveryMayOutliveBroker) {
  std::unique_ptr<Delivery> d;
  {
    InprocBroker b;
    ASSERT_TRUE(b.Publish(Msg("a")).ok());
    d = Take(b);
  }
  EXPECT_EQ(d->message().id, "a");
  EXPECT_TRUE(d->Ack().ok());
}

TEST(InprocBroker, CloseWakesBlockedConsumers) {
  InprocBroker b;
  std::atomic<int> woke{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i < 3; ++i) {
    consumers.emplace_back([&] {
      auto r = b.Next(milliseconds(60'000));
      if (!r.ok() && r.error().code == ErrorCode::kUnavailable) ++woke;
    });
  }
  b.Close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(woke.load(), 3);
  EXPECT_FALSE(b.Publish(Msg("late")).ok());
  EXPECT_FALSE(b.Ping().ok());
}

TEST(InprocBroker, FullBoundedQueueRefusesPublish) {
  InprocBroker b(InprocBrokerOptions{.max_depth = 2, .publish_timeout = milliseconds(1)});
  ASSERT_TRUE(b.Publish(Msg("a")).ok());
  ASSERT_TRUE(b.Publish(Msg("b")).ok());
  auto full = b.Publish(Msg("c"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(Take(b)->Ack().ok());
  EXPECT_TRUE(b.Publish(Msg("c")).ok());
}

TEST(InprocBroker, BlockedPublisherProceedsWhenConsumerTakes) {
  InprocBroker b(InprocBrokerOptions{.max_depth = 1, .publish_timeout = milliseconds(60'000)});
  ASSERT_TRUE(b.Publish(Msg("a")).ok());
  std::thread producer([&] { EXPECT_TRUE(b.Publish(Msg("b")).ok()); });
  auto first = Take(b);
  EXPECT_EQ(first->message().id, "a");
  ASSERT_TRUE(first->Ack().ok());
  producer.join();
  auto second = Take(b);
  EXPECT_EQ(second->message().id, "b");
  ASSERT_TRUE(second->Ack().ok());
}

TEST(InprocBroker, ConcurrentProducersAndConsumersLoseNothing) {
  constexpr int kProducers = 4, kPerProducer = 10'000, kConsumers = 4;
  InprocBroker b(InprocBrokerOptions{.max_depth = 256});
  std::mutex mu;
  std::multiset<std::string> seen;
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&, c] {
      std::vector<std::string> mine;
      int n = 0;
      while (taken.load() < kProducers * kPerProducer) {
        auto r = b.Next(milliseconds(10));
        if (!r.ok() || !*r) continue;
        // Every third message of consumer 0 is requeued once, to mix redeliveries in.
        if (c == 0 && ++n % 3 == 0 && !(*r)->redelivered()) {
          ASSERT_TRUE((*r)->Reject(true).ok());
          continue;
        }
        mine.push_back((*r)->message().id);
        ASSERT_TRUE((*r)->Ack().ok());
        ++taken;
      }
      std::lock_guard lock(mu);
      seen.insert(mine.begin(), mine.end());
    });
  }
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        ASSERT_TRUE(b.Publish(Msg(std::to_string(p) + "-" + std::to_string(i))).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kProducers * kPerProducer));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());  // no dups
  EXPECT_EQ(b.Depth(), 0);
  EXPECT_EQ(b.Unacked(), 0);
}

}  // namespace
}  // namespace mlprod::queue
