#include "queue/amqp/amqp_url.h"

#include "common/url.h"

namespace mlprod::queue {

Result<AmqpEndpoint> ParseAmqpUrl(std::string_view text) {
  auto parsed = ParseUrl(text);
  auto shown = [&] {
    return parsed.ok() ? FormatUrl(*parsed, /*redact_password=*/true) : std::string("(unparsable)");
  };
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid AMQP URL '" + shown() + "': " + std::string(why));
  };
  if (!parsed.ok()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid AMQP URL: " + parsed.error().message +
                         " (expected amqp://[user:password@]host[:port]/[vhost])");
  }
  const Url& u = *parsed;
  if (u.scheme == "amqps") {
    return bad("amqps:// (TLS) is not supported; use amqp:// on a trusted network or a TLS tunnel");
  }
  if (u.scheme != "amqp" && u.scheme != "pyamqp") {
    return bad("expected amqp://[user:password@]host[:port]/[vhost]");
  }
  if (text.size() == u.scheme.size() + 3) return bad("nothing after '://'");
  AmqpEndpoint ep;
  if (!u.host.empty()) ep.host = u.host;
  if (u.port) ep.port = *u.port;
  if (u.user) ep.user = *u.user;
  if (u.password) ep.password = *u.password;
  if (u.path.size() > 1) {
    auto vhost = PercentDecode(std::string_view(u.path).substr(1));
    if (!vhost.ok()) return bad(vhost.error().message);
    ep.vhost = *vhost;
  }
  for (const auto& [key, value] : u.query) {
    if (key != "heartbeat") {
      return bad("query parameter '" + key + "' is not supported (only heartbeat=SECONDS)");
    }
    if (value.empty() || value.size() > 5 ||
        value.find_first_not_of("0123456789") != std::string::npos || std::stoi(value) > 65535) {
      return bad("heartbeat must be a number of seconds 0..65535");
    }
    ep.heartbeat = std::chrono::seconds(std::stoi(value));
  }
  return ep;
}

}  // namespace mlprod::queue
