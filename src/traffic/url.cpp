#include "traffic/url.h"

#include "common/url.h"

namespace mlprod::traffic {

std::string HttpUrl::HostHeader() const {
  // An IPv6 literal goes back into its brackets, as the server's Host check expects.
  const std::string name = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return port == "80" ? name : name + ":" + port;
}

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid URL '" + std::string(url) + "': " + std::string(why));
  };
  auto parsed = ParseUrl(url);
  if (!parsed.ok()) {
    return bad(url.find("://") == std::string_view::npos ? "expected http://HOST[:PORT][/PATH]"
                                                         : parsed.error().message);
  }
  const Url& u = *parsed;
  if (u.scheme != "http") return bad("only http:// is supported");
  if (u.user) return bad("no user info");
  if (!u.query.empty() || url.find('?') != std::string_view::npos) return bad("no query");
  if (u.host.empty()) return bad("missing host");
  HttpUrl out;
  out.host = u.host;
  if (u.port) out.port = std::to_string(*u.port);
  std::string_view path = u.path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.base_path = std::string(path);
  return out;
}

}  // namespace mlprod::traffic
