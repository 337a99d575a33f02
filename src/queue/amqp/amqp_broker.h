// The Celery task queue over AMQP 0-9-1 (RabbitMQ) with rabbitmq-c: protocol v2 messages on the
// default exchange, durable queue, persistent messages, publisher confirms, bounded prefetch
// (basic.qos, widened by one for every delivery the consumer holds back, as Celery does for eta
// tasks), manual acks, heartbeats (60 s default). Not the codec (celery_codec.h). Thread-safe:
// one connection publishes, another consumes, each behind its own mutex; a failed connection is
// dropped and re-opened on the next call, so broker restarts heal by themselves.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "queue/broker.h"

namespace mlprod::queue {

struct AmqpBrokerOptions {
  // amqp:// or pyamqp:// URL (CELERY_BROKER_URL). Required.
  std::string url;
  // Queue name; routing key on the default exchange. Default: "celery".
  std::string queue = "celery";
  // Unacked messages the broker sends us at most (basic.qos). Default: 8.
  int prefetch = 8;
  // AMQP heartbeat interval; 0 disables; the URL's ?heartbeat=N wins. Default: 60 s, so a
  // silently dropped connection is noticed within two intervals. rabbitmq-c only sends
  // heartbeats inside library calls, so a keeper thread touches idle connections (consumer
  // while every worker runs a long task, publisher between publishes) every interval/3.
  std::chrono::seconds heartbeat{60};
  // Deadline for connecting, each RPC and each publisher confirm. Default: 5000 ms.
  std::chrono::milliseconds timeout{5000};
  // `origin` header of published tasks ("<pid>@<host>"). Default (empty): computed.
  std::string origin;
};

class AmqpBroker final : public Broker {
 public:
  // Validates the URL; connections open lazily on first use.
  static Result<std::unique_ptr<AmqpBroker>> Create(AmqpBrokerOptions options);
  ~AmqpBroker() override;

  Status Publish(const TaskMessage& message) override;
  Result<std::unique_ptr<Delivery>> Next(std::chrono::milliseconds timeout) override;
  long long Depth() override;
  Status Ping() override;
  long long Reconnects() const override;
  // Applied (basic.qos on the consuming channel) by the next Next call.
  void AddHeld(long long delta) override;
  void Close() override;

  struct Impl;

 private:
  explicit AmqpBroker(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace mlprod::queue
