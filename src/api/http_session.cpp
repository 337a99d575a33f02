// One HTTP connection of the server: reading requests (limits, deadlines, Transfer-Encoding
// framing), the request policy (Host, Origin, JSON bodies, HEAD, CORS preflight), routing to
// the handlers, metrics, and writing the answers. Runs on the connection's own I/O thread.
#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/errors.h"
#include "api/http_server_impl.h"
#include "api/offload.h"
#include "common/clock.h"
#include "metrics/api_metrics.h"

namespace mlprod::api {

using asio::use_awaitable;
using asio::ip::tcp;
using PolicyRefusal = metrics::ApiMetrics::PolicyRefusal;

namespace {

// Metrics key for requests that never reached the router (unparseable, oversized).
constexpr std::uint32_t kUnroutedId = 0xFFFF;
constexpr std::string_view kUnmatchedPath = "unmatched";

std::string_view MethodLabel(http::verb v) {
  if (v == http::verb::unknown) return "OTHER";
  const auto name = http::to_string(v);
  return {name.data(), name.size()};
}

}  // namespace

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
  if (!hosts.any && host.empty()) {
    Refused(PolicyRefusal::kHost);
    co_return DetailResponse(400, "Missing Host header");
  }
  if (!HostAllowed(hosts, std::string_view(host.data(), host.size()))) {
    Refused(PolicyRefusal::kHost);
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
      Refused(PolicyRefusal::kOrigin);
      co_return DetailResponse(403, "Cross-origin request refused (see --cors-origins)");
    }
    if ((!r.body.empty() || !r.content_type.empty()) && !IsJsonMediaType(r.content_type)) {
      Refused(PolicyRefusal::kContentType);
      co_return DetailResponse(415, "Content-Type must be application/json");
    }
  }
  route_id = m.route->id;
  path_template = m.route->path_template;
  r.params = m.params;
  r.param_count = m.param_count;
  // Only handlers that make blocking calls need a deadline (inline ones answer from memory).
  if (m.route->exec != Exec::kInline) r.deadline = SystemClock().SteadyNow() + opts.request_timeout;
  try {
    switch (m.route->exec) {
      case Exec::kInline:
        co_return m.route->sync(r);
      case Exec::kBlocking:
        co_return co_await Offload(pool, r.deadline,
                                   [&r, route = m.route] { return route->sync(r); });
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
      const auto start = SystemClock().SteadyNow();

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
        Refused(PolicyRefusal::kFraming);
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
            std::chrono::duration<double>(SystemClock().SteadyNow() - start).count();
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

}  // namespace mlprod::api
