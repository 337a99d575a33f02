// HTTP/1.1 server on Boost.Beast with C++20 coroutines: one io_context per I/O thread
// (connections are handed out round-robin, so a connection's state is touched by one thread
// only), keep-alive, read/write deadlines, body and header limits, graceful stop. Handlers that
// do store/broker I/O run on a separate blocking pool. Enforces the HTTP policy of
// api/http_policy.h (framing, Host, Origin/CORS, JSON bodies, HEAD, a connection cap); knows
// nothing of mlprod's routes.
// Start/Stop/Wait/port may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/router.h"
#include "common/result.h"

namespace mlprod::metrics {
class ApiMetrics;
}

namespace mlprod::api {

struct ServerOptions {
  std::string host = "0.0.0.0";        // Default: every interface
  std::uint16_t port = 4789;           // Default: 4789 (SPEC §3); 0 picks a free port
  int io_threads = 2;                  // Default: 2
  int blocking_threads = 8;            // Default: 8 (store/broker calls)
  std::size_t body_limit = 1 << 20;    // Default: 1 MiB, larger bodies get 413
  std::uint32_t header_limit = 16384;  // Default: 16 KiB, larger headers get 431
  // Default: 30 s — a keep-alive connection with no new request is closed after this.
  std::chrono::milliseconds idle_timeout{30000};
  // Default: 10 s — reading one request (once its first byte came) and writing its response;
  // also the deadline of the store calls its handler makes (Request::deadline).
  std::chrono::milliseconds request_timeout{10000};
  // Default: 10 s — Stop lets in-flight requests finish for at most this long.
  std::chrono::milliseconds shutdown_grace{10000};
  // Host header names accepted, a comma list ("*" = any); a Host not listed gets 421, a missing
  // one 400. Default: empty = by bind address (loopback: localhost, 127.0.0.1, [::1]; else any).
  std::string allowed_hosts;
  // Origins (scheme://host[:port], "*" = any) that may call cross-origin: they get CORS headers
  // and preflight answers. Default: empty = no CORS; state changes only from the same origin.
  std::string cors_origins;
  // Default: 1000 — open connections beyond this get a 503 and are closed at once.
  std::size_t max_connections = 1000;
};

class HttpServer {
 public:
  // router and metrics (nullable) must outlive the server.
  HttpServer(ServerOptions options, const Router& router, metrics::ApiMetrics* metrics);
  ~HttpServer();  // Stop() and Wait()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the I/O threads; returns once accepting. Unavailable when binding fails.
  Status Start();
  // Stops accepting, closes idle keep-alive connections, cuts long polls short and lets
  // in-flight requests finish (up to shutdown_grace). Returns at once; Wait() joins.
  void Stop();
  // Blocks until the server has stopped (after Stop()).
  void Wait();
  // The bound port (the real one when options.port was 0); 0 before Start.
  std::uint16_t port() const { return port_.load(); }
  // True once Stop() was called; long-poll handlers check it to finish early.
  bool stopping() const { return stopping_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<std::uint16_t> port_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> started_{false};
};

}  // namespace mlprod::api
