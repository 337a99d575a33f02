// One keep-alive HTTP/1.1 client connection for Asio coroutines (Boost.Beast): connects lazily,
// reconnects after any failure, and gives every request a deadline. Not a connection pool; not
// thread-safe: use it from one strand.
#pragma once

#include <utility>  // Boost 1.74's coroutine headers need it first.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <string>

namespace mlprod::traffic {

enum class Failure {
  kNone,
  kConnect,  // could not open the connection (refused, unreachable)
  kTimeout,  // the deadline passed while connecting, writing or reading
  kIo,       // the connection broke (reset, closed mid-answer, malformed HTTP)
};

struct HttpOutcome {
  Failure failure = Failure::kNone;
  std::string error;  // why, when failure != kNone
  int status = 0;
  std::string body;
  int retry_after_s = 0;  // the answer's Retry-After in seconds (0: none or not a number)
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor executor,
                 boost::asio::ip::tcp::resolver::results_type endpoints, std::string host_header);

  // Sends one request and reads the answer within timeout. A GET or PUT that fails on a reused
  // keep-alive connection before any answer arrives is retried once on a fresh connection
  // (the server may have closed it while idle); a POST never is, since it may have taken effect.
  boost::asio::awaitable<HttpOutcome> Request(boost::beast::http::verb method, std::string target,
                                              std::string body,
                                              std::chrono::steady_clock::duration timeout);

  void Close();

 private:
  boost::asio::awaitable<HttpOutcome> Attempt(boost::beast::http::verb method,
                                              const std::string& target, const std::string& body,
                                              std::chrono::steady_clock::duration timeout);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  std::string host_header_;
  bool connected_ = false;
  bool reused_ = false;  // the open connection already carried a request
};

}  // namespace mlprod::traffic
