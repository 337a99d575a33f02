// The counters of what the HTTP server refuses before any handler runs, read from GET /metrics:
// api_request_refused_total{reason} (Host, Origin, Content-Type, framing) and
// api_connection_refused_total (beyond --max-connections).
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <sstream>
#include <thread>

#include "api_test_env.h"

namespace mlprod::api::testing {
namespace {

namespace asio = boost::asio;

int StatusOf(const std::string& raw) {
  return raw.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(raw.substr(9, 3)) : 0;
}

// The sample of `family` whose label set contains `label` (e.g. reason="host"); -1 if none.
double Sample(const std::string& exposition, const std::string& family, const std::string& label) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(family + "{") || line.find(label) == std::string::npos) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

std::map<std::string, double> Refused(Client& client) {
  const std::string text = client.Get("/metrics").body;
  std::map<std::string, double> out;
  for (const std::string reason : {"host", "origin", "content_type", "framing"}) {
    out[reason] = Sample(text, "api_request_refused_total", "reason=\"" + reason + "\"");
  }
  out["connections"] = Sample(text, "api_connection_refused_total", "app_name=");
  return out;
}

std::string Post(const std::string& target, const std::string& headers, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

TEST_F(ApiServerTest, PolicyRefusalsAreCountedByReasonAndServedRequestsAreNot) {
  const std::map<std::string, double> zero{
      {"host", 0}, {"origin", 0}, {"content_type", 0}, {"framing", 0}, {"connections", 0}};
  EXPECT_EQ(Refused(*client_), zero);  // every series exists from the start
  const std::string json = "Content-Type: application/json\r\n";
  const std::string user = ValidUserData().dump();
  const auto port = server_->port();
  EXPECT_EQ(
      StatusOf(RawExchange(port, Post("/inference/start", "Host: evil.example\r\n" + json, user))),
      421);
  EXPECT_EQ(StatusOf(RawExchange(port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")), 400);
  EXPECT_EQ(
      StatusOf(RawExchange(
          port, Post("/train/start", "Host: 127.0.0.1\r\nOrigin: http://evil.example\r\n", ""))),
      403);
  EXPECT_EQ(
      StatusOf(RawExchange(
          port, Post("/inference/start", "Host: 127.0.0.1\r\nContent-Type: text/plain\r\n", user))),
      415);
  for (const std::string te : {"xchunked", "gzip, chunked"}) {
    EXPECT_NE(
        StatusOf(RawExchange(port, "POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\n" + json +
                                       "Transfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n")),
        200)
        << te;
  }
  // Served requests, a 404 and a validation error are no policy refusals.
  EXPECT_EQ(client_->Call(boost::beast::http::verb::post, "/inference/start", user).status, 200);
  EXPECT_EQ(client_->Get("/no/such/route").status, 404);
  EXPECT_EQ(client_->Call(boost::beast::http::verb::post, "/inference/start", "{}").status, 422);
  const std::map<std::string, double> expected{
      {"host", 2}, {"origin", 1}, {"content_type", 1}, {"framing", 2}, {"connections", 0}};
  EXPECT_EQ(Refused(*client_), expected);
}

TEST_F(ApiServerTest, ConnectionsRefusedAtTheCapAreCounted) {
  ApiConfig config = DefaultConfig();
  config.server.max_connections = 2;
  StartServer(config);
  client_.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its session is gone
  asio::io_context ioc;
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> idle;
  for (int i = 0; i < 2; ++i) {
    idle.push_back(std::make_unique<asio::ip::tcp::socket>(ioc));
    idle.back()->connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both accepted
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(StatusOf(RawExchange(server_->port(),
                                   "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                                   3000)),
              503);
  }
  idle.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both slots free again
  client_ = std::make_unique<Client>(server_->port());
  const auto refused = Refused(*client_);
  EXPECT_EQ(refused.at("connections"), 3);
  EXPECT_EQ(refused.at("host"), 0);  // the cap's 503s are not policy refusals
}

}  // namespace
}  // namespace mlprod::api::testing
