// Private to the AMQP broker: the state its three parts share — connection lifecycle and
// heartbeats (amqp_broker.cpp), publishing (amqp_publish.cpp), consuming, prefetch and
// deliveries (amqp_consume.cpp). Not a public interface. The publisher's members are guarded
// by pub_mu, the consumer's by con_mu; the atomics are read without either.
#pragma once

#include <amqp.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "queue/amqp/amqp_broker.h"
#include "queue/amqp/amqp_connection.h"
#include "queue/celery_codec.h"

namespace mlprod::queue {

// rabbitmq-c views of our strings (not owning) and back.
inline amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
inline std::string Str(const amqp_bytes_t& b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}
inline timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}
inline Error ClosedError() { return MakeError(ErrorCode::kUnavailable, "amqp broker is closed"); }

struct AmqpBroker::Impl {
  AmqpBrokerOptions options;
  AmqpEndpoint endpoint;
  std::atomic<bool> closed{false};

  Mutex pub_mu;
  std::unique_ptr<AmqpConnection> pub MLPROD_GUARDED_BY(pub_mu);
  // Publisher-confirm sequence of the last publish on `pub`.
  uint64_t pub_seq MLPROD_GUARDED_BY(pub_mu) = 0;

  Mutex con_mu;
  std::unique_ptr<AmqpConnection> con MLPROD_GUARDED_BY(con_mu);
  // Delivery tags are only valid on the connection they came from.
  uint64_t con_generation MLPROD_GUARDED_BY(con_mu) = 0;
  // A publisher connection existed before (the next is a reconnect).
  bool pub_opened MLPROD_GUARDED_BY(pub_mu) = false;
  std::atomic<long long> held{0};  // deliveries the consumer holds back (AddHeld)
  // basic.qos prefetch_count in force on `con`.
  int applied_prefetch MLPROD_GUARDED_BY(con_mu) = 0;
  std::atomic<long long> reconnects{0};

  // A message read off the consumer connection, decoded or not.
  struct Received {
    Result<TaskMessage> decoded = MakeError(ErrorCode::kInternal, "nothing received");
    uint64_t tag = 0;
    bool redelivered = false;
    std::optional<std::chrono::system_clock::time_point> published;
  };
  // Messages the heartbeat keeper read while no thread was in Next (only valid on the
  // connection of generation con_generation, cleared when it is replaced).
  std::deque<Received> pending MLPROD_GUARDED_BY(con_mu);

  // The heartbeat keeper: rabbitmq-c sends and checks heartbeats only inside library calls, so
  // while every worker thread runs a long task (and a publisher sits idle) this thread touches
  // each idle connection a few times per heartbeat interval.
  std::chrono::seconds heartbeat{0};
  std::thread keeper;
  Mutex keeper_mu;
  std::condition_variable keeper_cv;

  // amqp_broker.cpp
  // One pass over both connections: reads what is waiting (without blocking), which lets
  // rabbitmq-c send a due heartbeat and notice a dead peer. Skips a connection in use.
  void ServiceHeartbeats();
  void KeepAlive();  // the keeper thread's loop, until `closed`
  Status DeclareQueue(AmqpConnection& c);

  // amqp_publish.cpp
  Status EnsurePublisher() MLPROD_REQUIRES(pub_mu);
  // Publishes on `pub` and waits for the broker's confirm.
  Status PublishOnce(const CeleryEnvelope& env) MLPROD_REQUIRES(pub_mu);

  // amqp_consume.cpp
  static Received FromEnvelope(amqp_envelope_t& env);  // decodes and destroys env
  void DropConsumer() MLPROD_REQUIRES(con_mu);
  Status EnsureConsumer() MLPROD_REQUIRES(con_mu);
  // The window Celery would use: the configured prefetch plus one per held delivery.
  int WantedPrefetch() const;
  // basic.qos for the channel (global: RabbitMQ then counts the channel's unacked deliveries and
  // applies a change at once, to the running consumer too, as Celery uses it with RabbitMQ).
  // Deliveries arriving during the RPC are queued by rabbitmq-c for the next consume.
  Status ApplyPrefetch(AmqpConnection& c) MLPROD_REQUIRES(con_mu);
};

}  // namespace mlprod::queue
