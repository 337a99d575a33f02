// The HTTP server's request policy as pure functions: Transfer-Encoding framing (RFC 9112
// §6.3), Host allow-list (DNS rebinding), Origin and CORS decisions, JSON media types, the
// fd limit and a log-line throttle. No sockets; all functions are thread-safe, LogThrottle is not.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"

namespace mlprod::api {

enum class Framing {
  kPlain,        // no Transfer-Encoding: Content-Length (or no body) frames the request
  kChunked,      // exactly `chunked`: Beast's chunked parser frames it
  kBad,          // TE without a final chunked, chunked twice, or TE with Content-Length: 400
  kUnsupported,  // a coding before the final chunked (gzip, ...): we cannot decode it, 501
};
// How the request body is framed, judged from every Transfer-Encoding and Content-Length field.
Framing JudgeFraming(const boost::beast::http::fields& fields);

// Which Host header values a server accepts. Names compare case-insensitively, ports ignored.
struct HostPolicy {
  bool any = true;                 // Default: any Host (and a missing one)
  std::vector<std::string> names;  // lower-case names, IPv6 in brackets ("[::1]")
};
// `spec` is a comma list ("localhost, api.example"); "*" alone means any. When `spec` is empty,
// the default of the bind address: loopback binds (127.0.0.0/8, ::1, localhost) accept
// localhost, 127.0.0.1 and [::1]; any other bind accepts any Host.
HostPolicy MakeHostPolicy(std::string_view spec, std::string_view bind_host);
// The name part of a Host header value: "[::1]:80" -> "[::1]", "Example.com:8" -> "Example.com".
std::string_view HostName(std::string_view host_header);
bool HostAllowed(const HostPolicy& policy, std::string_view host_header);

// Origins (scheme://host[:port], compared case-insensitively) allowed to make cross-origin calls.
struct OriginPolicy {
  bool any = false;                                      // "*": every origin
  std::vector<std::string> origins;                      // lower-case, no trailing slash
  bool cors() const { return any || !origins.empty(); }  // send CORS headers at all
};
OriginPolicy MakeOriginPolicy(std::string_view spec);  // comma list; empty = none
// Same-origin (the Origin names the Host the request was sent to) or listed.
bool OriginAllowed(const OriginPolicy& policy, std::string_view origin,
                   std::string_view host_header);
bool ListedOrigin(const OriginPolicy& policy, std::string_view origin);

// CORS answer headers for a listed origin (Allow-Origin, Vary); a preflight also gets the
// allowed methods and headers and a max age.
void SetCorsHeaders(boost::beast::http::fields& fields, std::string_view origin, bool preflight);
// The HTML pages' headers: a CSP that allows only this server's scripts, styles, images and
// fetches (inline styles allowed: the Swagger UI and the dashboard use them), no framing, no
// MIME sniffing, no referrer.
void SetHtmlSecurityHeaders(boost::beast::http::fields& fields);

// POST, PUT, PATCH, DELETE: the methods a cross-site page must not be able to use.
bool IsStateChanging(Verb method);
// application/json or application/*+json, parameters (charset) allowed; empty is not JSON.
bool IsJsonMediaType(std::string_view content_type);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force (0 when
// it cannot be read).
std::uint64_t RaiseOpenFileLimit();
// Default connection cap for an fd limit: leaves room for store/broker/log/model fds.
std::size_t DefaultMaxConnections(std::uint64_t fd_limit);

// At most one log line per interval; counts what it swallowed. Not thread-safe.
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::milliseconds interval = std::chrono::seconds(1))
      : interval_(interval) {}
  // True when a line may be written now; *suppressed is then the number swallowed since the
  // last line (and resets).
  bool Allow(std::chrono::steady_clock::time_point now, std::uint64_t* suppressed);

 private:
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_{};
  bool logged_ = false;
  std::uint64_t suppressed_ = 0;
};

}  // namespace mlprod::api
