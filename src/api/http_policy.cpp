#include "api/http_policy.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/field.hpp>
#include <cctype>

namespace mlprod::api {
namespace {

namespace http = boost::beast::http;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Calls f(element) for each non-empty, trimmed element of a comma list.
template <typename F>
void ForEachElement(std::string_view list, F&& f) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view item = Trim(list.substr(0, comma));
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool IsLoopbackBind(std::string_view host) {
  if (IEquals(host, "localhost")) return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

}  // namespace

Framing JudgeFraming(const http::fields& fields) {
  std::vector<std::string> codings;
  bool has_te = false;
  for (const auto& f : fields) {
    if (f.name() != http::field::transfer_encoding) continue;
    has_te = true;
    const auto v = f.value();
    ForEachElement(std::string_view(v.data(), v.size()),
                   [&](std::string_view c) { codings.push_back(Lower(c)); });
  }
  if (!has_te) return Framing::kPlain;
  if (fields.count(http::field::content_length) > 0 || codings.empty()) return Framing::kBad;
  if (codings.back() != "chunked" || std::count(codings.begin(), codings.end(), "chunked") != 1) {
    return Framing::kBad;
  }
  return codings.size() == 1 ? Framing::kChunked : Framing::kUnsupported;
}

HostPolicy MakeHostPolicy(std::string_view spec, std::string_view bind_host) {
  HostPolicy p;
  if (Trim(spec).empty()) {
    if (IsLoopbackBind(bind_host)) p = {false, {"localhost", "127.0.0.1", "[::1]"}};
    return p;
  }
  p.any = false;
  ForEachElement(spec, [&](std::string_view name) {
    if (name == "*") p.any = true;
    // "::1" as written on a command line means the bracketed form a Host header carries.
    const bool bare_v6 = std::count(name.begin(), name.end(), ':') >= 2 && name.front() != '[';
    p.names.push_back(bare_v6 ? "[" + Lower(name) + "]" : Lower(HostName(name)));
  });
  return p;
}

std::string_view HostName(std::string_view host_header) {
  if (!host_header.empty() && host_header.front() == '[') {
    const auto close = host_header.find(']');
    return close == std::string_view::npos ? host_header : host_header.substr(0, close + 1);
  }
  return host_header.substr(0, host_header.find(':'));
}

bool HostAllowed(const HostPolicy& policy, std::string_view host_header) {
  if (policy.any) return true;
  const std::string_view name = HostName(host_header);
  return std::any_of(policy.names.begin(), policy.names.end(),
                     [&](const std::string& n) { return IEquals(n, name); });
}

OriginPolicy MakeOriginPolicy(std::string_view spec) {
  OriginPolicy p;
  ForEachElement(spec, [&](std::string_view origin) {
    if (origin == "*") p.any = true;
    while (origin.size() > 1 && origin.back() == '/') origin.remove_suffix(1);
    p.origins.push_back(Lower(origin));
  });
  return p;
}

bool ListedOrigin(const OriginPolicy& policy, std::string_view origin) {
  if (policy.any) return true;
  return std::any_of(policy.origins.begin(), policy.origins.end(),
                     [&](const std::string& o) { return IEquals(o, origin); });
}

bool OriginAllowed(const OriginPolicy& policy, std::string_view origin,
                   std::string_view host_header) {
  if (ListedOrigin(policy, origin)) return true;
  if (host_header.empty()) return false;
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (origin.size() == scheme.size() + host_header.size() &&
        IEquals(origin.substr(0, scheme.size()), scheme) &&
        IEquals(origin.substr(scheme.size()), host_header)) {
      return true;
    }
  }
  return false;
}

void SetCorsHeaders(http::fields& fields, std::string_view origin, bool preflight) {
  fields.set(http::field::access_control_allow_origin,
             boost::beast::string_view(origin.data(), origin.size()));
  fields.set(http::field::vary, "Origin");
  if (!preflight) return;
  fields.set(http::field::access_control_allow_methods, "GET, HEAD, POST, PUT, PATCH, DELETE");
  fields.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
  fields.set(http::field::access_control_max_age, "600");
}

void SetHtmlSecurityHeaders(http::fields& fields) {
  fields.set("Content-Security-Policy",
             "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  fields.set("X-Content-Type-Options", "nosniff");
  fields.set(http::field::x_frame_options, "DENY");
  fields.set("Referrer-Policy", "no-referrer");
}

bool IsStateChanging(Verb method) {
  return method == Verb::post || method == Verb::put || method == Verb::patch ||
         method == Verb::delete_;
}

bool IsJsonMediaType(std::string_view content_type) {
  const std::string mime = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (mime == "application/json") return true;
  return mime.starts_with("application/") && mime.ends_with("+json");
}

std::uint64_t RaiseOpenFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? 1u << 20 : static_cast<std::uint64_t>(lim.rlim_cur);
}

std::size_t DefaultMaxConnections(std::uint64_t fd_limit) {
  if (fd_limit == 0) return 1000;
  // Keep 128 fds (or half of a tiny limit) for the store, broker, logs and model files.
  const std::uint64_t room = fd_limit > 256 ? fd_limit - 128 : fd_limit / 2;
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(room, 16, 10000));
}

bool LogThrottle::Allow(std::chrono::steady_clock::time_point now, std::uint64_t* suppressed) {
  if (logged_ && now - last_ < interval_) {
    ++suppressed_;
    return false;
  }
  *suppressed = suppressed_;
  suppressed_ = 0;
  last_ = now;
  logged_ = true;
  return true;
}

}  // namespace mlprod::api
