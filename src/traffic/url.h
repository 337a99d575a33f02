// The target of `mlprod traffic`: an http:// URL split into host, port and path prefix (with the
// shared parser, common/url.h). No https, user info, query or fragment. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace mlprod::traffic {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string base_path;  // without trailing slash; "" for the root

  // "host:port" as the Host header wants it (port omitted when 80).
  std::string HostHeader() const;
};

// "http://127.0.0.1:4789", "http://localhost:4789/api/" ... Errors name what is wrong.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace mlprod::traffic
