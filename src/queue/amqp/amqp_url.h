// Parses the broker URLs Celery accepts for AMQP 0-9-1 (amqp:// and pyamqp://, SPEC §2).
// Not a connection. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace mlprod::queue {

struct AmqpEndpoint {
  std::string host = "localhost";
  int port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
};

// amqp://[user[:password]@]host[:port][/vhost]; "//" and an empty path both mean vhost "/",
// as in kombu; %XX escapes are decoded.
Result<AmqpEndpoint> ParseAmqpUrl(std::string_view url);

}  // namespace mlprod::queue
