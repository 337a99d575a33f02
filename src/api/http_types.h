// The request and response values handlers see: plain views and strings, no socket, so every
// handler is a pure function testable without a server. Not thread-safe per object; handlers
// receive their own copies/views per request.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace boost::asio {
class thread_pool;
}

namespace mlprod::api {

using Verb = boost::beast::http::verb;

struct Request {
  Verb method = Verb::get;
  std::string_view path;   // without the query string
  std::string_view query;  // after '?', raw (percent-encoded); empty when absent
  std::string_view body;
  std::string_view content_type;
  std::string_view authorization;
  // Values captured by the route template's {placeholders}, in order.
  std::array<std::string_view, 2> params{};
  std::size_t param_count = 0;
  // Set by the server for coroutine handlers: where to run blocking calls, and whether the
  // server is shutting down (long polls then answer early).
  boost::asio::thread_pool* blocking_pool = nullptr;
  const std::atomic<bool>* stopping = nullptr;
  // When the handler's blocking calls must be done by (ServerOptions::request_timeout after
  // the request was read); Offload hands it to them (common/deadline.h).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

inline constexpr std::string_view kJsonType = "application/json";

struct Response {
  int status = 200;
  std::string body;
  // Used instead of `body` when not empty: a constant (pre-serialised, embedded) body that
  // outlives the server, so it is sent without a copy.
  std::string_view static_body;
  std::string_view content_type = kJsonType;
  std::string_view cache_control;  // empty = no header
  std::string allow;               // 405: the path's methods
  bool www_authenticate = false;   // 401: add `WWW-Authenticate: Bearer`
  int retry_after_s = 0;           // > 0: add `Retry-After: <seconds>` (503 backpressure)
  std::string_view exception;      // 5xx: the error kind counted in api_exception_total
};

}  // namespace mlprod::api
