// The HTTP policy on the wire, with raw sockets: smuggling through Transfer-Encoding, HEAD,
// cross-site form posts, foreign Host headers, CORS only when configured, the HTML pages'
// security headers and the connection cap; each refusal is one openapi.json documents.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <sstream>
#include <thread>

#include "api_test_env.h"

namespace mlprod::api::testing {
namespace {

namespace asio = boost::asio;

struct RawReply {
  int status = 0;
  std::string head;  // status line and headers, lower-cased
  std::string body;
  int responses = 0;  // status lines seen in the whole answer
  bool has(const std::string& header_line) const {
    return head.find(header_line) != std::string::npos;
  }
};

RawReply Parse(const std::string& raw) {
  RawReply r;
  for (auto at = raw.find("HTTP/1.1 "); at != std::string::npos;
       at = raw.find("HTTP/1.1 ", at + 1)) {
    ++r.responses;
  }
  if (raw.rfind("HTTP/1.1 ", 0) != 0) return r;
  r.status = std::stoi(raw.substr(9, 3));
  const auto end = raw.find("\r\n\r\n");
  r.head = raw.substr(0, end);
  for (char& c : r.head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  return r;
}

std::string Request(const std::string& method, const std::string& target,
                    const std::string& headers, const std::string& body = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\n" + headers;
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "Connection: close\r\n\r\n" + body;
}

constexpr const char* kLocal = "Host: 127.0.0.1\r\n";

// The raw answer's status is one openapi.json documents for the route.
void ExpectDocumented(const SchemaChecker& schema, const std::string& method,
                      const std::string& target, const RawReply& r) {
  std::string why;
  EXPECT_NE(schema.DocumentedResponse(method, target, r.status, why), nullptr) << why;
}

TEST_F(ApiServerTest, SmuggledRequestBehindABadTransferEncodingIsRefusedAndNeverRuns) {
  const auto before = StoreCounts();
  const std::string smuggled =
      "POST /train/start HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
  for (const std::string te :
       {"xchunked", "chunked, identity", "chunked\r\nTransfer-Encoding: identity", "identity"}) {
    const RawReply r = Parse(RawExchange(server_->port(),
                                         "POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         "Content-Type: application/json\r\nTransfer-Encoding: " +
                                             te + "\r\n\r\n" + smuggled));
    EXPECT_EQ(r.status, 400) << te;
    EXPECT_EQ(r.responses, 1) << te << ": the smuggled request was answered";
    EXPECT_TRUE(r.has("connection: close")) << te;
    ExpectDocumented(*schema_, "POST", "/inference/start", r);
  }
  // Content-Length next to Transfer-Encoding is refused too.
  const RawReply both = Parse(RawExchange(server_->port(),
                                          "POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          "Content-Type: application/json\r\nContent-Length: 5\r\n"
                                          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                                              smuggled));
  EXPECT_EQ(both.status, 400);
  EXPECT_EQ(both.responses, 1);
  // A coding before the final chunked cannot be decoded: 501, and the connection is closed.
  const RawReply gzip = Parse(RawExchange(server_->port(),
                                          "POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          "Content-Type: application/json\r\n"
                                          "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" +
                                              smuggled));
  EXPECT_EQ(gzip.status, 501);
  EXPECT_EQ(gzip.responses, 1);
  ExpectDocumented(*schema_, "POST", "/inference/start", gzip);
  EXPECT_EQ(broker_->Depth(), 0);  // no training (and no inference) was queued
  EXPECT_EQ(StoreCounts(), before);
  EXPECT_EQ(client_->Get("/").status, 200);
}

TEST_F(ApiServerTest, ChunkedJsonBodyIsStillRead) {
  const std::string body = ValidUserData().dump();
  std::ostringstream chunk;
  chunk << std::hex << body.size() << "\r\n" << body << "\r\n0\r\n\r\n";
  const RawReply r =
      Parse(RawExchange(server_->port(),
                        "POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n" +
                            chunk.str()));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(broker_->Depth(), 1);
}

TEST_F(ApiServerTest, HeadAnswersLikeGetWithoutABody) {
  for (const std::string path : {"/", "/health/live", "/docs", "/models", "/openapi.json"}) {
    const Reply get = client_->Get(path);
    ASSERT_EQ(get.status, 200) << path;
    const RawReply head = Parse(RawExchange(server_->port(), Request("HEAD", path, kLocal)));
    EXPECT_EQ(head.status, 200) << path;
    EXPECT_TRUE(head.has("content-length: " + std::to_string(get.body.size()))) << path;
    EXPECT_TRUE(head.body.empty()) << path << ": " << head.body.size() << " body bytes";
  }
  // A path without GET still says 405, and GET paths list HEAD.
  const RawReply no_get =
      Parse(RawExchange(server_->port(), Request("HEAD", "/train/start", kLocal)));
  EXPECT_EQ(no_get.status, 405);
  const RawReply allow = Parse(RawExchange(server_->port(), Request("DELETE", "/models", kLocal)));
  EXPECT_EQ(allow.status, 405);
  EXPECT_TRUE(allow.has("allow: get, head")) << allow.head;
}

TEST_F(ApiServerTest, CrossSiteFormPostAndUntypedBodiesAreRefused) {
  const auto before = StoreCounts();
  const std::string form = "Content-Type: application/x-www-form-urlencoded\r\n";
  // A cross-site HTML form: the browser sends its Origin.
  const RawReply cross = Parse(RawExchange(
      server_->port(),
      Request("POST", "/train/start", kLocal + form + "Origin: http://evil.example\r\n", "a=1")));
  EXPECT_EQ(cross.status, 403) << cross.body;
  ExpectDocumented(*schema_, "POST", "/train/start", cross);
  // The same form without an Origin (old browsers, tools) still is no JSON.
  const RawReply untyped_form =
      Parse(RawExchange(server_->port(), Request("POST", "/train/start", kLocal + form, "a=1")));
  EXPECT_EQ(untyped_form.status, 415);
  ExpectDocumented(*schema_, "POST", "/train/start", untyped_form);
  const RawReply no_type = Parse(RawExchange(
      server_->port(), Request("POST", "/inference/start", kLocal, ValidUserData().dump())));
  EXPECT_EQ(no_type.status, 415) << no_type.body;
  const RawReply plain = Parse(RawExchange(
      server_->port(),
      Request("POST", "/inference/start", kLocal + std::string("Content-Type: text/plain\r\n"),
              ValidUserData().dump())));
  EXPECT_EQ(plain.status, 415);
  EXPECT_EQ(broker_->Depth(), 0);
  EXPECT_EQ(StoreCounts(), before);
  // Same-origin pages (the Swagger UI) and clients without an Origin keep working.
  const std::string same = "Host: 127.0.0.1:" + std::to_string(server_->port()) +
                           "\r\nOrigin: http://127.0.0.1:" + std::to_string(server_->port()) +
                           "\r\n";
  EXPECT_EQ(Parse(RawExchange(server_->port(), Request("POST", "/train/start", same))).status, 200);
  const RawReply json = Parse(
      RawExchange(server_->port(),
                  Request("POST", "/inference/start",
                          kLocal + std::string("Content-Type: application/json; charset=utf-8\r\n"),
                          ValidUserData().dump())));
  EXPECT_EQ(json.status, 200) << json.body;
}

TEST_F(ApiServerTest, ForeignHostIsRefusedBeforeAnyHandlerRuns) {
  const std::string models = client_->Get("/models").body;
  const std::string body = R"({"use_percentage":0.5})";
  const std::string json = "Content-Type: application/json\r\n";
  const RawReply foreign =
      Parse(RawExchange(server_->port(), Request("PUT", "/models/baseline",
                                                 "Host: attacker.example\r\n" + json, body)));
  EXPECT_EQ(foreign.status, 421) << foreign.body;
  ExpectDocumented(*schema_, "PUT", "/models/baseline", foreign);
  const RawReply rebound = Parse(
      RawExchange(server_->port(), Request("GET", "/models", "Host: attacker.example:4789\r\n")));
  EXPECT_EQ(rebound.status, 421);
  const RawReply missing = Parse(RawExchange(server_->port(), Request("GET", "/", "")));
  EXPECT_EQ(missing.status, 400);
  ExpectDocumented(*schema_, "GET", "/", missing);
  EXPECT_EQ(client_->Get("/models").body, models);
  for (const std::string host : {"localhost:1", "[::1]:4789", "127.0.0.1"}) {
    EXPECT_EQ(
        Parse(RawExchange(server_->port(), Request("GET", "/", "Host: " + host + "\r\n"))).status,
        200)
        << host;
  }
  // An explicit list replaces the loopback default.
  ApiConfig config = DefaultConfig();
  config.server.allowed_hosts = "api.example";
  StartServer(config);
  EXPECT_EQ(
      Parse(RawExchange(server_->port(), Request("GET", "/", "Host: api.example:80\r\n"))).status,
      200);
  EXPECT_EQ(Parse(RawExchange(server_->port(), Request("GET", "/", kLocal))).status, 421);
}

TEST_F(ApiServerTest, CorsHeadersAndPreflightOnlyForConfiguredOrigins) {
  const std::string preflight_headers = std::string(kLocal) +
                                        "Origin: https://app.example\r\n"
                                        "Access-Control-Request-Method: POST\r\n";
  const RawReply off = Parse(
      RawExchange(server_->port(), Request("OPTIONS", "/inference/start", preflight_headers)));
  EXPECT_EQ(off.status, 405);
  EXPECT_FALSE(off.has("access-control-allow-origin"));
  const RawReply get_off = Parse(
      RawExchange(server_->port(),
                  Request("GET", "/", kLocal + std::string("Origin: https://app.example\r\n"))));
  EXPECT_EQ(get_off.status, 200);
  EXPECT_FALSE(get_off.has("access-control-allow-origin"));

  ApiConfig config = DefaultConfig();
  config.server.cors_origins = "https://app.example";
  StartServer(config);
  const RawReply pre = Parse(
      RawExchange(server_->port(), Request("OPTIONS", "/inference/start", preflight_headers)));
  EXPECT_EQ(pre.status, 204);
  EXPECT_TRUE(pre.has("access-control-allow-origin: https://app.example"));
  EXPECT_TRUE(pre.has("access-control-allow-methods:"));
  EXPECT_TRUE(pre.has("access-control-allow-headers: authorization, content-type"));
  const RawReply listed = Parse(RawExchange(
      server_->port(),
      Request(
          "POST", "/inference/start",
          kLocal + std::string("Origin: https://app.example\r\nContent-Type: application/json\r\n"),
          ValidUserData().dump())));
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(listed.has("access-control-allow-origin: https://app.example"));
  const RawReply other = Parse(RawExchange(
      server_->port(),
      Request("POST", "/train/start", kLocal + std::string("Origin: https://other.example\r\n"))));
  EXPECT_EQ(other.status, 403);
  EXPECT_FALSE(other.has("access-control-allow-origin"));
}

TEST_F(ApiServerTest, HtmlPagesCarrySecurityHeadersAndLoadOnlyTheirOwnScripts) {
  for (const std::string page : {"/docs", "/dashboard"}) {
    const Reply r = client_->Get(page);
    ASSERT_EQ(r.status, 200) << page;
    const std::string csp = r.header("content-security-policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << page << ": " << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << page;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << page;
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << page;
    EXPECT_EQ(r.header("x-frame-options"), "DENY") << page;
    // script-src 'self' blocks inline scripts: every script must come from a route of ours.
    for (auto at = r.body.find("<script"); at != std::string::npos;
         at = r.body.find("<script", at + 1)) {
      const std::string tag = r.body.substr(at, r.body.find('>', at) - at);
      const auto src = tag.find("src=\"");
      ASSERT_NE(src, std::string::npos) << page << ": inline script";
      const std::string url = tag.substr(src + 5, tag.find('"', src + 5) - src - 5);
      EXPECT_EQ(client_->Get(url).status, 200) << page << " loads " << url;
    }
  }
  EXPECT_TRUE(client_->Get("/").header("content-security-policy").empty());
}

TEST_F(ApiServerTest, ConnectionsBeyondTheCapGetA503AndTheServerRecovers) {
  ApiConfig config = DefaultConfig();
  config.server.max_connections = 4;
  StartServer(config);
  client_.reset();
  asio::io_context ioc;
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<asio::ip::tcp::socket>(ioc));
    idle.back()->connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all four accepted
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    const RawReply over = Parse(RawExchange(server_->port(), Request("GET", "/", kLocal), 3000));
    EXPECT_EQ(over.status, 503);
    EXPECT_TRUE(over.has("retry-after: 1"));
    ExpectDocumented(*schema_, "GET", "/", over);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  idle.clear();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    status = Parse(RawExchange(server_->port(), Request("GET", "/", kLocal))).status;
  }
  EXPECT_EQ(status, 200);
  client_ = std::make_unique<Client>(server_->port());
}

}  // namespace
}  // namespace mlprod::api::testing
