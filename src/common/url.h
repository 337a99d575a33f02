// One parser for the connection URLs of the broker (amqp://), result backend (redis://) and
// traffic target (http://): scheme://[user[:password]@]host[:port][/path][?query], with
// percent-decoding, IPv6 literals and port checks. Knows no scheme's defaults (callers apply
// those) and does not parse DATABASE_URL (libpq does). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace mlprod {

struct Url {
  std::string scheme;                   // lower-cased, without "://"
  std::optional<std::string> user;      // decoded; nullopt without a '@'
  std::optional<std::string> password;  // decoded; nullopt without a ':' in the user info
  std::string host;                     // decoded; an IPv6 literal without its brackets
  bool ipv6 = false;                    // host was written as [literal]
  std::optional<int> port;              // 1..65535; nullopt when not written
  std::string path;                     // as written (not decoded), with its leading '/'
  std::vector<std::pair<std::string, std::string>> query;  // decoded; '+' stays '+'

  // The value of the first query parameter `key`, or nullopt.
  std::optional<std::string> Query(std::string_view key) const;
};

// Errors (kInvalidArgument) say what is wrong but do not repeat the URL (it may hold a
// password); callers add a redacted form. Refused: no "scheme://", control characters, spaces
// or non-ASCII bytes (they must be %-escaped), a bad %-escape, an empty or out-of-range port,
// an unbracketed IPv6 address, a fragment, and %00 anywhere.
Result<Url> ParseUrl(std::string_view url);

// %XX decoding; a NUL (%00) or a truncated or non-hex escape is kInvalidArgument.
Result<std::string> PercentDecode(std::string_view s);
// Escapes every byte outside RFC 3986's unreserved set, so the result is safe in any component.
std::string PercentEncode(std::string_view s);

// The URL written back from its parts, every part escaped as needed (ParseUrl(FormatUrl(u))
// gives u back). With redact_password, a password is written as "***".
std::string FormatUrl(const Url& url, bool redact_password = false);

}  // namespace mlprod
