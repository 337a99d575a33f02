#include "api/http_server.h"

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <optional>

#include "api/errors.h"
#include "api/http_policy.h"
#include "api/offload.h"
#include "metrics/api_metrics.h"

namespace mlprod::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

// Metrics key for requests that never reached the router (unparseable, oversized).
constexpr std::uint32_t kUnroutedId = 0xFFFF;
constexpr std::string_view kUnmatchedPath = "unmatched";

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

// What Write adds besides the Response: HEAD answers carry the header only.
struct WriteOptions {
  bool head = false;
  std::string_view cors_origin;  // non-empty: a listed Origin, answered with CORS headers
  bool preflight = false;
};

std::string_view MethodLabel(http::verb v) {
  if (v == http::verb::unknown) return "OTHER";
  const auto name = http::to_string(v);
  return {name.data(), name.size()};
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, const Router& r, metrics::ApiMetrics* m, HttpServer& s)
      : opts(std::move(o)),
        router(r),
        metrics(m),
        self(s),
        hosts(MakeHostPolicy(opts.allowed_hosts, opts.host)),
        origins(MakeOriginPolicy(opts.cors_origins)),
        pool(static_cast<std::size_t>(std::max(1, opts.blocking_threads))) {}

  asio::awaitable<void> Accept();
  asio::awaitable<void> Reject(tcp::socket socket);
  asio::awaitable<void> Session(Context& c, tcp::socket socket);
  asio::awaitable<Response> Dispatch(const http::request<http::string_body>& req,
                                     std::uint32_t& route_id, std::string_view& path_template,
                                     WriteOptions& w);
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
  std::optional<tcp::acceptor> acceptor;  // lives on ctxs[0]
  std::vector<std::thread> threads;
  std::size_t next_ctx = 0;
  bool waited = false;
};

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
      if (accept_log.Allow(std::chrono::steady_clock::now(), &suppressed)) {
        spdlog::warn("api: accept failed: {} ({} more in the last interval)", ec.message(),
                     suppressed);
      }
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (active.load(std::memory_order_relaxed) >= opts.max_connections) {
      if (cap_log.Allow(std::chrono::steady_clock::now(), &suppressed)) {
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

template <typename Body>
asio::awaitable<bool> HttpServer::Impl::Write(beast::tcp_stream& stream, Response& resp,
                                              unsigned version, bool keep_alive,
                                              const WriteOptions& w) {
  http::response<Body> msg{static_cast<http::status>(resp.status), version};
  if constexpr (std::is_same_v<Body, http::string_body>) {
    msg.body() = std::move(resp.body);
  } else {
    msg.body() = typename Body::value_type(resp.static_body.data(), resp.static_body.size());
  }
  msg.set(http::field::content_type,
          beast::string_view(resp.content_type.data(), resp.content_type.size()));
  if (!resp.cache_control.empty()) {
    msg.set(http::field::cache_control,
            beast::string_view(resp.cache_control.data(), resp.cache_control.size()));
  }
  if (!resp.allow.empty()) msg.set(http::field::allow, beast::string_view(resp.allow));
  if (resp.www_authenticate) msg.set(http::field::www_authenticate, "Bearer");
  if (resp.retry_after_s > 0) msg.set(http::field::retry_after, std::to_string(resp.retry_after_s));
  if (!w.cors_origin.empty()) SetCorsHeaders(msg, w.cors_origin, w.preflight);
  if (resp.content_type.starts_with("text/html")) SetHtmlSecurityHeaders(msg);
  msg.keep_alive(keep_alive);
  msg.prepare_payload();
  beast::error_code ec;
  stream.expires_after(opts.request_timeout);
  if (w.head) {
    // The GET answer's header (its Content-Length too), no body.
    http::response_serializer<Body> sr(msg);
    co_await http::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
  } else {
    co_await http::async_write(stream, msg, asio::redirect_error(use_awaitable, ec));
  }
  co_return !ec;
}

asio::awaitable<Response> HttpServer::Impl::Dispatch(const http::request<http::string_body>& req,
                                                     std::uint32_t& route_id,
                                                     std::string_view& path_template,
                                                     WriteOptions& w) {
  w.head = req.method() == http::verb::head;  // first: refusals to HEAD carry no body either
  const auto host = req[http::field::host];
  if (!hosts.any && host.empty()) co_return DetailResponse(400, "Missing Host header");
  if (!HostAllowed(hosts, std::string_view(host.data(), host.size()))) {
    co_return DetailResponse(421, "Host not allowed (see --allowed-hosts)");
  }
  const auto origin_field = req[http::field::origin];
  const std::string_view origin(origin_field.data(), origin_field.size());
  if (!origin.empty() && origins.cors() && ListedOrigin(origins, origin)) w.cors_origin = origin;
  if (req.method() == http::verb::options && !w.cors_origin.empty() &&
      req.count(http::field::access_control_request_method) > 0) {
    w.preflight = true;
    Response preflight;
    preflight.status = 204;
    co_return preflight;
  }
  Request r;
  r.method = req.method();
  if (w.head) r.method = http::verb::get;  // HEAD is GET without the body
  const beast::string_view target = req.target();
  const auto q = target.find('?');
  r.path = std::string_view(target.data(), q == beast::string_view::npos ? target.size() : q);
  if (q != beast::string_view::npos) {
    r.query = std::string_view(target.data() + q + 1, target.size() - q - 1);
  }
  r.body = req.body();
  const auto ct = req[http::field::content_type];
  r.content_type = std::string_view(ct.data(), ct.size());
  const auto auth = req[http::field::authorization];
  r.authorization = std::string_view(auth.data(), auth.size());
  r.blocking_pool = &pool;
  r.stopping = &self.stopping_;

  const Match m = router.Find(r.method, r.path);
  if (m.route == nullptr) {
    if (!m.path_known) {
      route_id = kUnroutedId;
      path_template = kUnmatchedPath;
      co_return DetailResponse(404, "Not Found");
    }
    route_id = m.path_route_id;
    path_template = m.path_template;
    Response resp = DetailResponse(405, "Method Not Allowed");
    resp.allow = std::string(m.allow);
    if (resp.allow.find("GET") != std::string::npos) resp.allow += ", HEAD";
    co_return resp;
  }
  if (IsStateChanging(r.method)) {
    if (!origin.empty() &&
        !OriginAllowed(origins, origin, std::string_view(host.data(), host.size()))) {
      co_return DetailResponse(403, "Cross-origin request refused (see --cors-origins)");
    }
    if ((!r.body.empty() || !r.content_type.empty()) && !IsJsonMediaType(r.content_type)) {
      co_return DetailResponse(415, "Content-Type must be application/json");
    }
  }
  route_id = m.route->id;
  path_template = m.route->path_template;
  r.params = m.params;
  r.param_count = m.param_count;
  try {
    switch (m.route->exec) {
      case Exec::kInline:
        co_return m.route->sync(r);
      case Exec::kBlocking:
        co_return co_await Offload(pool, [&r, route = m.route] { return route->sync(r); });
      case Exec::kAsync:
        co_return co_await m.route->async(r);
    }
  } catch (const std::exception& e) {
    spdlog::error("api: {} {} failed: {}", MethodLabel(r.method), path_template, e.what());
  }
  Response resp = DetailResponse(500, "Internal Server Error");
  resp.exception = "exception";
  co_return resp;
}

asio::awaitable<void> HttpServer::Impl::Session(Context& c, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  const auto it = c.conns.insert(c.conns.end(), Conn{&stream, true});
  struct Unlist {
    Context& c;
    std::list<Conn>::iterator it;
    std::atomic<std::size_t>& active;
    ~Unlist() {
      active.fetch_sub(1, std::memory_order_relaxed);
      c.conns.erase(it);
      if (c.stopping && c.conns.empty() && c.stop_timer) c.stop_timer->cancel();
    }
  } unlist{c, it, active};

  beast::flat_buffer buffer;
  bool keep_alive = true;
  try {
    while (keep_alive && !c.stopping) {
      beast::error_code ec;
      it->idle = true;
      if (buffer.size() == 0) {
        // Waiting for the first byte of the next request is the idle phase; the request
        // deadline starts when it arrives, so a half-sent request cannot hold a slot long.
        stream.expires_after(opts.idle_timeout);
        const std::size_t n = co_await stream.async_read_some(
            buffer.prepare(4096), asio::redirect_error(use_awaitable, ec));
        if (ec) break;
        buffer.commit(n);
      }
      it->idle = false;
      http::request_parser<http::string_body> parser;
      parser.header_limit(opts.header_limit);
      parser.body_limit(opts.body_limit);
      stream.expires_after(opts.request_timeout);
      co_await http::async_read_header(stream, buffer, parser,
                                       asio::redirect_error(use_awaitable, ec));
      // A body framed in a way we do not read exactly would be parsed as the next request.
      const Framing framing = ec ? Framing::kPlain : JudgeFraming(parser.get());
      const bool framed = framing == Framing::kPlain || framing == Framing::kChunked;
      if (!ec && framed && !parser.is_done()) {
        // curl sends `Expect: 100-continue` for bodies over 1 KiB and waits for this.
        const auto expect = parser.get()[http::field::expect];
        if (beast::iequals(expect, "100-continue")) {
          http::response<http::empty_body> go_on{http::status::continue_, 11};
          co_await http::async_write(stream, go_on, asio::redirect_error(use_awaitable, ec));
        }
        if (!ec) {
          co_await http::async_read(stream, buffer, parser,
                                    asio::redirect_error(use_awaitable, ec));
        }
      }
      const auto start = std::chrono::steady_clock::now();

      Response resp;
      WriteOptions w;
      std::uint32_t route_id = kUnroutedId;
      std::string_view path_template = kUnmatchedPath;
      unsigned version = 11;
      if (ec == http::error::body_limit) {
        resp = DetailResponse(
            413, "Request body too large (limit " + std::to_string(opts.body_limit) + " bytes)");
        keep_alive = false;
      } else if (ec == http::error::header_limit) {
        resp = DetailResponse(431, "Request header fields too large");
        keep_alive = false;
      } else if (ec && ec.category() == beast::error_code(http::error::end_of_stream).category() &&
                 ec != http::error::end_of_stream && ec != http::error::partial_message) {
        resp = DetailResponse(400, "Malformed HTTP request: " + ec.message());
        keep_alive = false;
      } else if (ec) {
        break;  // timeout, reset, EOF: nobody to answer
      } else if (!framed) {
        resp = framing == Framing::kBad
                   ? DetailResponse(400,
                                    "Bad Transfer-Encoding: only a final 'chunked' without "
                                    "Content-Length is accepted")
                   : DetailResponse(501, "Transfer coding not implemented: only 'chunked'");
        keep_alive = false;
      } else {
        const auto& req = parser.get();
        version = req.version();
        keep_alive = req.keep_alive();
        resp = co_await Dispatch(req, route_id, path_template, w);
      }
      if (c.stopping) keep_alive = false;

      const std::string_view method =
          parser.is_header_done() ? MethodLabel(parser.get().method()) : "OTHER";
      if (metrics != nullptr) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        metrics->RecordRequest(route_id, path_template, method, resp.status, seconds);
        if (resp.status >= 500) {
          metrics->RecordException(resp.exception.empty() ? "HTTPException" : resp.exception,
                                   method, path_template);
        }
      }
      const bool written =
          resp.static_body.empty()
              ? co_await Write<http::string_body>(stream, resp, version, keep_alive, w)
              : co_await Write<http::span_body<const char>>(stream, resp, version, keep_alive, w);
      if (!written) break;
    }
  } catch (const std::exception& e) {
    spdlog::error("api: connection failed: {}", e.what());
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  // Drain briefly so a client still sending (e.g. an oversized body) reads our answer
  // instead of a connection reset.
  if (!keep_alive) {
    stream.expires_after(std::chrono::milliseconds(500));
    std::size_t drained = 0;
    while (drained < (4u << 20)) {
      buffer.clear();
      const std::size_t n = co_await stream.async_read_some(
          buffer.prepare(65536), asio::redirect_error(use_awaitable, ignored));
      if (ignored) break;
      drained += n;
    }
  }
  stream.socket().close(ignored);
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
