#include "queue/amqp/amqp_url.h"

#include <charconv>

namespace mlprod::queue {
namespace {

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int v = 0;
    if (i + 2 >= s.size()) {
      return MakeError(ErrorCode::kInvalidArgument, "bad %-escape");
    }
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc() || p != s.data() + i + 3) {
      return MakeError(ErrorCode::kInvalidArgument, "bad %-escape");
    }
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

}  // namespace

Result<AmqpEndpoint> ParseAmqpUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid AMQP URL '" + std::string(url) + "': " + std::string(why));
  };
  std::string_view rest;
  for (std::string_view scheme : {"amqp://", "pyamqp://"}) {
    if (url.starts_with(scheme)) rest = url.substr(scheme.size());
  }
  if (rest.empty()) return bad("expected amqp://[user:password@]host[:port]/[vhost]");
  AmqpEndpoint ep;
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon));
    if (!user.ok()) return bad(user.error().message);
    ep.user = *user;
    if (colon != std::string_view::npos) {
      auto pw = PercentDecode(userinfo.substr(colon + 1));
      if (!pw.ok()) return bad(pw.error().message);
      ep.password = *pw;
    }
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), ep.port);
    if (ec != std::errc() || p != port.data() + port.size() || ep.port <= 0 || ep.port > 65535) {
      return bad("bad port");
    }
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) ep.host = std::string(rest);
  if (!path.empty()) {
    auto vhost = PercentDecode(path);
    if (!vhost.ok()) return bad(vhost.error().message);
    ep.vhost = *vhost;
  }
  return ep;
}

}  // namespace mlprod::queue
