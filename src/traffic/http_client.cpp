#include "traffic/http_client.h"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

namespace mlprod::traffic {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Results of the whole location table stay far below this; anything bigger is a broken server.
constexpr std::size_t kBodyLimit = 16 * 1024 * 1024;

Failure Classify(const beast::error_code& ec) {
  return ec == beast::error::timeout ? Failure::kTimeout : Failure::kIo;
}

}  // namespace

HttpConnection::HttpConnection(asio::any_io_executor executor,
                               asio::ip::tcp::resolver::results_type endpoints,
                               std::string host_header)
    : stream_(std::move(executor)),
      endpoints_(std::move(endpoints)),
      host_header_(std::move(host_header)) {}

void HttpConnection::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  buffer_.clear();
  connected_ = false;
  reused_ = false;
}

asio::awaitable<HttpOutcome> HttpConnection::Request(http::verb method, std::string target,
                                                     std::string body,
                                                     std::chrono::steady_clock::duration timeout) {
  const bool was_reused = connected_ && reused_;
  HttpOutcome out = co_await Attempt(method, target, body, timeout);
  if (out.failure == Failure::kIo && was_reused && out.status == 0 && method != http::verb::post) {
    out = co_await Attempt(method, target, body, timeout);
  }
  co_return out;
}

asio::awaitable<HttpOutcome> HttpConnection::Attempt(http::verb method, const std::string& target,
                                                     const std::string& body,
                                                     std::chrono::steady_clock::duration timeout) {
  HttpOutcome out;
  beast::error_code ec;
  // One deadline covers connect, write and read together.
  stream_.expires_after(timeout);
  if (!connected_) {
    co_await stream_.async_connect(endpoints_, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      out.failure = ec == beast::error::timeout ? Failure::kTimeout : Failure::kConnect;
      out.error = "connect: " + ec.message();
      Close();
      co_return out;
    }
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    connected_ = true;
    reused_ = false;
  }

  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, host_header_);
  req.set(http::field::user_agent, "mlprod-traffic");
  req.set(http::field::accept, "application/json");
  if (method == http::verb::post || method == http::verb::put) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(true);
  req.prepare_payload();

  co_await http::async_write(stream_, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.failure = Classify(ec);
    out.error = "write: " + ec.message();
    Close();
    co_return out;
  }
  reused_ = true;

  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  co_await http::async_read(stream_, buffer_, parser,
                            asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.failure = Classify(ec);
    out.error = "read: " + ec.message();
    Close();
    co_return out;
  }
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  if (auto it = res.find(http::field::retry_after); it != res.end()) {
    const auto v = it->value();
    int seconds = 0;
    if (std::from_chars(v.data(), v.data() + v.size(), seconds).ec == std::errc()) {
      out.retry_after_s = std::clamp(seconds, 0, 60);
    }
  }
  if (!res.keep_alive()) Close();
  co_return out;
}

}  // namespace mlprod::traffic
