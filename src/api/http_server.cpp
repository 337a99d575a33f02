// The HTTP server's accept loop, its connection cap (--max-connections: a 503 and a close) and
// Start/Stop/Wait. A connection's requests are handled in http_session.cpp.
#include "api/http_server.h"

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

#include "api/http_server_impl.h"
#include "common/clock.h"

namespace mlprod::api {

using asio::use_awaitable;
using asio::ip::tcp;

namespace {

// Rejecting coroutines in flight at most; beyond, an over-cap connection is closed unanswered.
constexpr int kMaxRejecting = 64;

const std::string& TooManyConnections() {
  static const std::string answer = [] {
    const std::string body = R"({"detail":"Too many connections"})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
  }();
  return answer;
}

}  // namespace

asio::awaitable<void> HttpServer::Impl::Accept() {
  for (;;) {
    Context& c = *ctxs[next_ctx++ % ctxs.size()];
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor->async_accept(c.ioc, asio::redirect_error(use_awaitable, ec));
    std::uint64_t suppressed = 0;
    if (ec) {
      if (!acceptor->is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of fds and similar: back off instead of spinning, and do not flood the log.
      if (accept_log.Allow(SystemClock().SteadyNow(), &suppressed)) {
        spdlog::warn("api: accept failed: {} ({} more in the last interval)", ec.message(),
                     suppressed);
      }
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (active.load(std::memory_order_relaxed) >= opts.max_connections) {
      if (metrics != nullptr) metrics->RecordConnectionRefused();
      if (cap_log.Allow(SystemClock().SteadyNow(), &suppressed)) {
        spdlog::warn("api: {} connections open (--max-connections): answering 503 ({} more)",
                     opts.max_connections, suppressed);
      }
      if (rejecting.load() < kMaxRejecting) {
        rejecting.fetch_add(1);
        asio::co_spawn(c.ioc, Reject(std::move(socket)), asio::detached);
      }
      continue;  // else the socket closes here
    }
    socket.set_option(tcp::no_delay(true), ec);
    active.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(c.ioc, Session(c, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::Impl::Reject(tcp::socket socket) {
  struct Done {
    std::atomic<int>& n;
    ~Done() { n.fetch_sub(1); }
  } done{rejecting};
  beast::tcp_stream stream(std::move(socket));
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(1));
  co_await asio::async_write(stream, asio::buffer(TooManyConnections()),
                             asio::redirect_error(use_awaitable, ec));
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  // A short drain, so the client reads the 503 rather than a reset caused by its unread request.
  stream.expires_after(std::chrono::milliseconds(500));
  char sink[4096];
  for (int i = 0; !ec && i < 16; ++i) {
    co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
  }
  stream.socket().close(ec);
}

HttpServer::HttpServer(ServerOptions options, const Router& router, metrics::ApiMetrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, *this)) {}

HttpServer::~HttpServer() {
  Stop();
  Wait();
}

Status HttpServer::Start() {
  if (started_.exchange(true)) return MakeError(ErrorCode::kConflict, "server already started");
  Impl& s = *impl_;
  const int n = std::max(1, s.opts.io_threads);
  for (int i = 0; i < n; ++i) {
    auto c = std::make_unique<Context>();
    c->guard.emplace(c->ioc.get_executor());
    s.ctxs.push_back(std::move(c));
  }
  beast::error_code ec;
  tcp::resolver resolver(s.ctxs[0]->ioc);
  auto endpoints =
      resolver.resolve(s.opts.host, std::to_string(s.opts.port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot resolve listen address '" + s.opts.host + "': " + ec.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  s.acceptor.emplace(s.ctxs[0]->ioc);
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable, "cannot listen on " + s.opts.host + ":" +
                                                  std::to_string(s.opts.port) + ": " +
                                                  ec.message());
  }
  port_ = s.acceptor->local_endpoint().port();
  asio::co_spawn(s.ctxs[0]->ioc, s.Accept(), asio::detached);
  for (auto& c : s.ctxs) {
    s.threads.emplace_back([ctx = c.get()] { ctx->ioc.run(); });
  }
  return OkStatus();
}

void HttpServer::Stop() {
  if (!started_.load() || stopping_.exchange(true)) return;
  Impl& s = *impl_;
  asio::post(s.ctxs[0]->ioc, [&s] {
    beast::error_code ignored;
    if (s.acceptor) s.acceptor->close(ignored);
  });
  const auto grace = s.opts.shutdown_grace;
  for (auto& ptr : s.ctxs) {
    Context* c = ptr.get();
    asio::post(c->ioc, [c, grace] {
      c->stopping = true;
      for (Conn& conn : c->conns) {
        if (conn.idle) conn.stream->cancel();
      }
      c->guard.reset();
      if (!c->conns.empty()) {
        c->stop_timer.emplace(c->ioc, grace);
        c->stop_timer->async_wait([c](beast::error_code ec) {
          if (!ec) c->ioc.stop();  // grace over: abandon what is still running
        });
      }
    });
  }
}

void HttpServer::Wait() {
  Impl& s = *impl_;
  if (!started_.load() || s.waited) return;
  for (auto& t : s.threads) t.join();
  s.waited = true;
  s.acceptor.reset();
  for (auto& c : s.ctxs) c->stop_timer.reset();
  s.pool.join();
}

}  // namespace mlprod::api
