// Private to the HTTP server: the state shared by its accept loop and connection cap
// (http_server.cpp) and its sessions (http_session.cpp). Not a public interface. Each Context
// is touched by its own I/O thread only; the atomics are shared across them.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <algorithm>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "api/http_policy.h"
#include "api/http_server.h"
#include "metrics/api_metrics.h"

namespace mlprod::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Conn {
  beast::tcp_stream* stream;
  bool idle;
};

// One I/O thread's world. Connections live on exactly one context, so nothing here is locked.
struct Context {
  std::list<Conn> conns;  // declared before ioc: frames destroyed by ~io_context unlist here
  std::optional<asio::steady_timer> stop_timer;  // reset in Wait(), before ioc goes away
  bool stopping = false;
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
};

// What Write adds besides the Response: HEAD answers carry the header only.
struct WriteOptions {
  bool head = false;
  std::string_view cors_origin;  // non-empty: a listed Origin, answered with CORS headers
  bool preflight = false;
};

struct HttpServer::Impl {
  Impl(ServerOptions o, const Router& r, metrics::ApiMetrics* m, HttpServer& s)
      : opts(std::move(o)),
        router(r),
        metrics(m),
        self(s),
        hosts(MakeHostPolicy(opts.allowed_hosts, opts.host)),
        origins(MakeOriginPolicy(opts.cors_origins)),
        pool(static_cast<std::size_t>(std::max(1, opts.blocking_threads))) {}

  // http_server.cpp: the accept loop and the connection cap.
  asio::awaitable<void> Accept();
  asio::awaitable<void> Reject(asio::ip::tcp::socket socket);
  // http_session.cpp: one connection's requests, the policy checks and routing, the answers.
  asio::awaitable<void> Session(Context& c, asio::ip::tcp::socket socket);
  asio::awaitable<Response> Dispatch(const http::request<http::string_body>& req,
                                     std::uint32_t& route_id, std::string_view& path_template,
                                     WriteOptions& w);
  // Counts a request the policy refused (no-op without metrics).
  void Refused(metrics::ApiMetrics::PolicyRefusal reason) const {
    if (metrics != nullptr) metrics->RecordPolicyRefusal(reason);
  }
  template <typename Body>
  asio::awaitable<bool> Write(beast::tcp_stream& stream, Response& resp, unsigned version,
                              bool keep_alive, const WriteOptions& w);

  ServerOptions opts;
  const Router& router;
  metrics::ApiMetrics* metrics;
  HttpServer& self;
  const HostPolicy hosts;
  const OriginPolicy origins;
  std::atomic<std::size_t> active{0};  // open sessions, across all contexts
  std::atomic<int> rejecting{0};       // Reject coroutines in flight
  LogThrottle accept_log, cap_log;     // used by Accept only (ctxs[0])
  asio::thread_pool pool;              // declared first among owners: joined and destroyed last
  std::vector<std::unique_ptr<Context>> ctxs;
  std::optional<asio::ip::tcp::acceptor> acceptor;  // lives on ctxs[0]
  std::vector<std::thread> threads;
  std::size_t next_ctx = 0;
  bool waited = false;
};

}  // namespace mlprod::api
