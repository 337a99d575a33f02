// The task queue between the API (producer) and workers (consumers). Implementations: the
// in-process queue (inproc/) for `mlprod serve`, and AMQP 0-9-1 with Celery protocol v2 (amqp/).
// Thread-safe: any thread may publish; each consumer thread calls Next on its own.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "queue/task.h"

namespace mlprod::queue {

// One received message. Exactly one of Ack / Reject must be called, after the task's effects
// are committed (acks late). Destroying an unsettled delivery requeues it.
class Delivery {
 public:
  virtual ~Delivery() = default;
  virtual const TaskMessage& message() const = 0;
  virtual bool redelivered() const = 0;
  // When the message entered the queue, if the transport knows (queue-wait metrics).
  virtual std::optional<std::chrono::system_clock::time_point> published_at() const {
    return std::nullopt;
  }
  virtual Status Ack() = 0;
  // requeue=false drops the message (poison); true puts it back for another worker.
  virtual Status Reject(bool requeue) = 0;
};

class Broker {
 public:
  virtual ~Broker() = default;
  // Publishes the task; returns once the broker has accepted it (publisher confirm).
  virtual Status Publish(const TaskMessage& message) = 0;
  // Waits up to `timeout` for the next message; a null pointer on timeout. A message that cannot be
  // decoded is rejected (no requeue) and logged by the implementation, never returned.
  virtual Result<std::unique_ptr<Delivery>> Next(std::chrono::milliseconds timeout) = 0;
  // Messages waiting in the queue (for metrics; -1 when unknown).
  virtual long long Depth() = 0;
  // Reachability for /health/ready.
  virtual Status Ping() = 0;
  // Connections re-opened after one was lost (for metrics); 0 for brokers without connections.
  virtual long long Reconnects() const { return 0; }
  // The consumer holds `delta` more (or, negative, fewer) deliveries unsettled on purpose: eta
  // tasks waiting for their time, tasks waiting for their lane. A broker with a prefetch window
  // widens it by that many (as Celery raises basic.qos per eta task), so held messages never
  // take every slot and stop consumption. Default: nothing to widen.
  virtual void AddHeld(long long delta) { (void)delta; }
  // Wakes every consumer blocked in Next; later calls return Unavailable.
  virtual void Close() = 0;
};

}  // namespace mlprod::queue
