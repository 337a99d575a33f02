#include "traffic/url.h"

#include <algorithm>
#include <cctype>

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
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return bad(url.find("://") == std::string_view::npos ? "expected http://HOST[:PORT][/PATH]"
                                                         : "only http:// is supported");
  }
  std::string_view rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) return bad("no query or fragment");
  if (authority.find('@') != std::string_view::npos) return bad("no user info");

  HttpUrl out;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed IPv6 bracket");
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return bad("junk after IPv6 address");
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    authority.remove_prefix(colon == std::string_view::npos ? authority.size() : colon);
  }
  if (out.host.empty()) return bad("missing host");
  if (!authority.empty()) {
    const std::string_view port = authority.substr(1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
        std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
      return bad("port must be 1..65535");
    }
    out.port = std::string(port);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.base_path = std::string(path);
  return out;
}

}  // namespace mlprod::traffic
