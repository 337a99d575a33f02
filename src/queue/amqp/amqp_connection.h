// One AMQP 0-9-1 connection with channel 1 open (rabbitmq-c), with deadlines on connect and
// RPCs, and rabbitmq-c's replies turned into Status values. Not thread-safe: its owner
// serialises every use. Not the broker logic (amqp_broker.cpp).
#pragma once

#include <amqp.h>

#include <chrono>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "queue/amqp/amqp_url.h"

namespace mlprod::queue {

class AmqpConnection {
 public:
  static constexpr amqp_channel_t kChannel = 1;

  static Result<std::unique_ptr<AmqpConnection>> Open(const AmqpEndpoint& endpoint,
                                                      std::chrono::seconds heartbeat,
                                                      std::chrono::milliseconds timeout);
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  amqp_connection_state_t state() { return state_; }

  // The last RPC's reply as a Status; any failure marks the connection broken.
  Status CheckRpc(std::string_view what);
  // A rabbitmq-c status code (AMQP_STATUS_*) as a Status; failure marks it broken.
  Status CheckStatus(int status, std::string_view what);
  Error Broken(std::string_view what, std::string_view detail);

  bool broken() const { return broken_; }

 private:
  AmqpConnection();
  amqp_connection_state_t state_;
  bool broken_ = false;
  bool logged_in_ = false;
};

}  // namespace mlprod::queue
