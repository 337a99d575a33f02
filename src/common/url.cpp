#include "common/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace mlprod {
namespace {

Error Bad(std::string why) { return MakeError(ErrorCode::kInvalidArgument, std::move(why)); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

bool IsSubDelim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

// A byte that may appear unescaped anywhere in a URL we accept: printable ASCII but space.
bool IsVisibleAscii(unsigned char c) { return c > 0x20 && c < 0x7f; }

Result<int> ParsePort(std::string_view s) {
  if (s.empty()) return Bad("empty port");
  if (s.size() > 5 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Bad("port must be a number 1..65535");
  }
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  if (v < 1 || v > 65535) return Bad("port must be a number 1..65535");
  return v;
}

// host or [v6]:port. Fills host, ipv6 and port.
Status ParseHostPort(std::string_view s, Url& out) {
  std::string_view port;
  bool has_port = false;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return Bad("unclosed '[' in the IPv6 address");
    const std::string_view literal = s.substr(1, close - 1);
    in6_addr addr{};
    if (inet_pton(AF_INET6, std::string(literal).c_str(), &addr) != 1) {
      return Bad("'[" + std::string(literal) + "]' is not an IPv6 address");
    }
    out.host = std::string(literal);
    out.ipv6 = true;
    s.remove_prefix(close + 1);
    if (!s.empty()) {
      if (s.front() != ':') return Bad("unexpected characters after the IPv6 address");
      port = s.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = s.find(':');
    std::string_view host = s.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = s.substr(colon + 1);
      has_port = true;
      if (port.find(':') != std::string_view::npos) {
        return Bad("an IPv6 address must be written in brackets, e.g. [::1]");
      }
    }
    for (char c : host) {
      if (!IsUnreserved(static_cast<unsigned char>(c)) && !IsSubDelim(c) && c != '%') {
        return Bad(std::string("character '") + c + "' is not allowed in a host name");
      }
    }
    auto decoded = PercentDecode(host);
    if (!decoded.ok()) return decoded.error();
    for (char c : *decoded) {
      if (!IsVisibleAscii(static_cast<unsigned char>(c))) {
        return Bad("a host name must not contain control characters, spaces or non-ASCII bytes");
      }
    }
    out.host = std::move(*decoded);
  }
  if (has_port) {
    auto p = ParsePort(port);
    if (!p.ok()) return p.error();
    out.port = *p;
  }
  return OkStatus();
}

Status ParseQuery(std::string_view q, Url& out) {
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    auto key = PercentDecode(item.substr(0, eq));
    if (!key.ok()) return key.error();
    if (key->empty()) return Bad("a query parameter has no name");
    auto value = PercentDecode(eq == std::string_view::npos ? "" : item.substr(eq + 1));
    if (!value.ok()) return value.error();
    out.query.emplace_back(std::move(*key), std::move(*value));
  }
  return OkStatus();
}

}  // namespace

std::optional<std::string> Url::Query(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return Bad("truncated %-escape");
    const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return Bad("bad %-escape '" + std::string(s.substr(i, 3)) + "'");
    if (hi == 0 && lo == 0) return Bad("%00 (a NUL byte) is not allowed");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<Url> ParseUrl(std::string_view s) {
  for (char c : s) {
    if (!IsVisibleAscii(static_cast<unsigned char>(c))) {
      return Bad("control characters, spaces and non-ASCII bytes must be %-escaped");
    }
  }
  const auto sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0) return Bad("expected scheme://");
  Url out;
  for (char c : s.substr(0, sep)) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '+' && c != '-' && c != '.') return Bad("bad scheme");
    out.scheme += static_cast<char>(std::tolower(u));
  }
  if (std::isalpha(static_cast<unsigned char>(out.scheme.front())) == 0) return Bad("bad scheme");
  std::string_view rest = s.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) return Bad("a fragment ('#') is not allowed");

  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  // The last '@' ends the user info, so an unescaped '@' in a password still works.
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon));
    if (!user.ok()) return user.error();
    out.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = PercentDecode(userinfo.substr(colon + 1));
      if (!password.ok()) return password.error();
      out.password = std::move(*password);
    }
  }
  MLPROD_RETURN_IF_ERROR(ParseHostPort(authority, out));

  const auto q = rest.find('?');
  out.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) MLPROD_RETURN_IF_ERROR(ParseQuery(rest.substr(q + 1), out));
  // The path is kept as written, but its escapes must be valid for callers that decode it.
  if (auto p = PercentDecode(out.path); !p.ok()) return p.error();
  return out;
}

std::string FormatUrl(const Url& u, bool redact_password) {
  std::string s = u.scheme + "://";
  if (u.user) {
    s += PercentEncode(*u.user);
    if (u.password) s += ":" + (redact_password ? std::string("***") : PercentEncode(*u.password));
    s += '@';
  }
  s += u.ipv6 ? "[" + u.host + "]" : PercentEncode(u.host);
  if (u.port) s += ":" + std::to_string(*u.port);
  s += u.path;
  for (size_t i = 0; i < u.query.size(); ++i) {
    s += (i == 0 ? "?" : "&") + PercentEncode(u.query[i].first) + "=" +
         PercentEncode(u.query[i].second);
  }
  return s;
}

}  // namespace mlprod
