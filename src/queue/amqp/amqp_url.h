// Parses the broker URLs Celery accepts for AMQP 0-9-1 (amqp:// and pyamqp://, SPEC §2) with the
// shared URL parser (common/url.h). Not a connection; amqps:// (TLS) is refused, not served in
// clear. Pure; thread-safe.
#pragma once

#include <chrono>
#include <optional>
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
  // ?heartbeat=SECONDS as kombu reads it (0 disables); nullopt = the broker option's default.
  std::optional<std::chrono::seconds> heartbeat;
};

// amqp://[user[:password]@]host[:port][/vhost][?heartbeat=N]; host may be an [IPv6] literal;
// "//" and an empty path both mean vhost "/", as in kombu; %XX escapes are decoded. Other query
// parameters are refused rather than ignored (ssl options would otherwise connect in clear).
Result<AmqpEndpoint> ParseAmqpUrl(std::string_view url);

}  // namespace mlprod::queue
