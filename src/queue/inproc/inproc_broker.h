// In-process task queue for `mlprod serve`: a FIFO of TaskMessages shared by producer and consumer
// threads, with AMQP-like settlement (ack, reject, requeue; an unsettled delivery that is destroyed
// goes back to the head). Not durable, not a network broker. Thread-safe (MPMC).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "common/clock.h"
#include "queue/broker.h"

namespace mlprod::queue {

struct InprocBrokerOptions {
  // Most messages waiting (not counting unacked ones); 0 = unbounded. Default: 0.
  size_t max_depth = 0;
  // How long Publish waits for room in a full queue before failing with Unavailable.
  // Default: 1000 ms.
  std::chrono::milliseconds publish_timeout{1000};
  // The publish time a delivery reports (published_at); app/ passes its clock.
  const Clock* clock = &SystemClock();
};

class InprocBroker final : public Broker {
 public:
  explicit InprocBroker(InprocBrokerOptions options = {});
  ~InprocBroker() override;  // closes; outstanding deliveries stay valid

  Status Publish(const TaskMessage& message) override;
  // Timeout -> ok(nullptr). After Close -> Unavailable.
  Result<std::unique_ptr<Delivery>> Next(std::chrono::milliseconds timeout) override;
  long long Depth() override;
  Status Ping() override;
  void Close() override;

  // Delivered but neither acked nor rejected yet (tests, metrics).
  long long Unacked();

  struct State;  // shared with deliveries so they may outlive the broker

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mlprod::queue
