// Hostile and broken input: every request gets a 4xx with a JSON `detail`, the server keeps
// serving, and the store is unchanged afterwards.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "api_test_env.h"

namespace mlprod::api::testing {
namespace {

using boost::beast::http::verb;

struct BadRequest {
  const char* name;
  verb method;
  std::string target;
  std::string body;
  int status;
  std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
};

std::string UserWith(const std::string& field, const nlohmann::json& value) {
  auto body = ValidUserData();
  body[field] = value;
  return body.dump();
}

std::string UserWithout(const std::string& field) {
  auto body = ValidUserData();
  body.erase(field);
  return body.dump();
}

std::vector<BadRequest> Cases() {
  const std::string unknown = "00000000-0000-4000-8000-000000000000";
  std::string bad_utf8 = ValidUserData().dump();
  bad_utf8.replace(bad_utf8.find("Ada"), 3, "A\xff\xfe");
  return {
      {"malformed json", verb::post, "/inference/start", "{\"people_num\": 3,", 422},
      {"empty body", verb::post, "/inference/start", "", 422},
      {"array body", verb::post, "/inference/start", "[1,2,3]", 422},
      {"string body", verb::post, "/inference/start", "\"hello\"", 422},
      {"invalid utf-8", verb::post, "/inference/start", bad_utf8, 422},
      {"missing people_num", verb::post, "/inference/start", UserWithout("people_num"), 422},
      {"missing time_arrival", verb::post, "/inference/start", UserWithout("time_arrival"), 422},
      {"people_num text", verb::post, "/inference/start", UserWith("people_num", "many"), 422},
      {"people_num zero", verb::post, "/inference/start", UserWith("people_num", 0), 422},
      {"people_num negative", verb::post, "/inference/start", UserWith("people_num", -5), 422},
      {"people_num huge", verb::post, "/inference/start", UserWith("people_num", 1000000000), 422},
      {"people_num 2^70", verb::post, "/inference/start",
       R"({"people_num": 1180591620717411303424})", 422},
      {"10k ages", verb::post, "/inference/start",
       UserWith("people_age", std::vector<int>(10000, 30)), 422},
      {"negative age", verb::post, "/inference/start", UserWith("people_age", {41, -1, 9}), 422},
      {"age 500", verb::post, "/inference/start", UserWith("people_age", {41, 500, 9}), 422},
      {"ages as text", verb::post, "/inference/start", UserWith("people_age", "41,39,9"), 422},
      {"ages count", verb::post, "/inference/start", UserWith("people_age", {41}), 422},
      {"budget zero", verb::post, "/inference/start", UserWith("budget", 0), 422},
      {"budget negative", verb::post, "/inference/start", UserWith("budget", -100), 422},
      {"budget 1e308", verb::post, "/inference/start", UserWith("budget", 1e308), 422},
      {"budget NaN text", verb::post, "/inference/start", UserWith("budget", "NaN"), 422},
      {"nights zero", verb::post, "/inference/start", UserWith("nights", 0), 422},
      {"nights 1000", verb::post, "/inference/start", UserWith("nights", 1000), 422},
      {"month 13", verb::post, "/inference/start", UserWith("time_arrival", "2027-13-01"), 422},
      {"date words", verb::post, "/inference/start", UserWith("time_arrival", "yesterday"), 422},
      {"29 feb 2027", verb::post, "/inference/start", UserWith("time_arrival", "2027-02-29"), 422},
      {"bool yes", verb::post, "/inference/start", UserWith("spa", "yes"), 422},
      {"name too long", verb::post, "/inference/start", UserWith("name", std::string(500, 'n')),
       422},
      {"sql name, bad budget", verb::post, "/inference/start",
       [] {
         auto b = ValidUserData();
         b["name"] = "'; DROP TABLE users; --";
         b["budget"] = -1;
         return b.dump();
       }(),
       422},
      {"text/plain body",
       verb::post,
       "/inference/start",
       ValidUserData().dump(),
       415,
       {{"Content-Type", "text/plain"}}},
      {"status unknown id", verb::get, "/inference/status/" + unknown, "", 404},
      {"status not uuid", verb::get, "/inference/status/42", "", 404},
      {"status sql-ish", verb::get, "/inference/status/1'%20OR%20'1'='1", "", 404},
      {"wait zero", verb::get, "/inference/status/" + unknown + "?wait=0", "", 422},
      {"wait 31", verb::get, "/inference/status/" + unknown + "?wait=31", "", 422},
      {"wait text", verb::get, "/inference/status/" + unknown + "?wait=soon", "", 422},
      {"results unknown id", verb::get, "/inference/results/" + unknown, "", 404},
      {"results limit 0", verb::get, "/inference/results/" + unknown + "?limit=0", "", 422},
      {"results limit 5000", verb::get, "/inference/results/" + unknown + "?limit=5000", "", 422},
      {"results limit -1", verb::get, "/inference/results/" + unknown + "?limit=-1", "", 422},
      {"select malformed", verb::put, "/inference/select/", "{task_id:", 422},
      {"select missing location", verb::put, "/inference/select/",
       R"({"task_id":")" + unknown + R"("})", 422},
      {"select location text", verb::put, "/inference/select/",
       R"({"task_id":")" + unknown + R"(","location_id":"abc"})", 422},
      {"select location -2", verb::put, "/inference/select/",
       R"({"task_id":")" + unknown + R"(","location_id":-2})", 422},
      {"select unknown task", verb::put, "/inference/select/",
       R"({"task_id":")" + unknown + R"(","location_id":3})", 404},
      {"reject unknown task", verb::put, "/inference/select/",
       R"({"task_id":")" + unknown + R"(","location_id":-1})", 404},
      {"select sql task id", verb::put, "/inference/select/",
       R"({"task_id":"x' OR 1=1 --","location_id":3})", 404},
      {"location id text", verb::get, "/content/location/abc", "", 422},
      {"user id negative", verb::get, "/content/user/-1", "", 422},
      {"result id sql", verb::get, "/content/result/1;DROP%20TABLE%20results", "", 422},
      {"users limit 0", verb::get, "/content/users?limit=0", "", 422},
      {"locations skip -1", verb::get, "/content/locations?skip=-1", "", 422},
      {"results after text", verb::get, "/content/results?after=abc", "", 422},
      {"users after negative", verb::get, "/content/users?after=-5", "", 422},
      {"unknown route", verb::get, "/admin", "", 404},
      {"unknown nested route", verb::get, "/inference/status/a/b/c", "", 404},
      {"delete start", verb::delete_, "/inference/start", "", 405},
      {"get start", verb::get, "/inference/start", "", 405},
      {"patch model", verb::patch, "/models/baseline", "{}", 405},
      {"model share text", verb::put, "/models/baseline", R"({"use_percentage":"lots"})", 422},
      {"model share negative", verb::put, "/models/baseline", R"({"use_percentage":-0.1})", 422},
      {"model body array", verb::put, "/models/baseline", "[]", 422},
      {"train status not uuid", verb::get, "/train/status/not-a-uuid", "", 404},
      {"oversized body", verb::post, "/inference/start", std::string(2 << 20, ' '), 413},
  };
}

// Status code and body of a raw HTTP answer.
std::pair<int, std::string> ParseRaw(const std::string& raw) {
  if (raw.rfind("HTTP/1.1 ", 0) != 0) return {0, raw};
  const auto body = raw.find("\r\n\r\n");
  return {std::stoi(raw.substr(9, 3)), body == std::string::npos ? "" : raw.substr(body + 4)};
}

TEST_F(ApiServerTest, EveryBadRequestGets4xxWithJsonDetailAndChangesNothing) {
  const auto before = StoreCounts();
  const auto cases = Cases();
  ASSERT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    const Reply r = client_->Call(c.method, c.target, c.body, c.headers);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    const auto body = r.json();
    ASSERT_FALSE(body.is_discarded()) << c.name << ": not JSON: " << r.body;
    EXPECT_TRUE(body.contains("detail")) << c.name;
    if (c.status == 405) {
      EXPECT_FALSE(r.header("allow").empty()) << c.name;
    }
    if (c.status == 422 && body["detail"].is_array()) {
      EXPECT_TRUE(body["detail"][0].contains("loc")) << c.name;
      EXPECT_TRUE(body["detail"][0].contains("type")) << c.name;
    }
  }
  EXPECT_EQ(client_->Get("/").status, 200);
  EXPECT_EQ(StoreCounts(), before);
  EXPECT_EQ(broker_->Depth(), 0);  // nothing was queued either
}

TEST_F(ApiServerTest, MalformedHttpGets400AndOversizedHeaders431) {
  const auto garbage = ParseRaw(RawExchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n"));
  EXPECT_EQ(garbage.first, 400);
  EXPECT_TRUE(nlohmann::json::parse(garbage.second, nullptr, false).contains("detail"));
  const std::string big_header =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  const auto too_big = ParseRaw(RawExchange(server_->port(), big_header));
  EXPECT_EQ(too_big.first, 431);
  EXPECT_TRUE(nlohmann::json::parse(too_big.second, nullptr, false).contains("detail"));
  EXPECT_EQ(client_->Get("/").status, 200);
}

TEST_F(ApiServerTest, SlowClientIsTimedOutWhileOthersAreServed) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket slow(ioc);
  slow.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  const std::string half =
      "POST /inference/start HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n";
  asio::write(slow, asio::buffer(half));
  // Meanwhile everyone else is served.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client_->Get("/health/live").status, 200);
  // The request deadline (1.5 s in these tests) closes the stalled connection.
  char buf[256];
  boost::system::error_code ec;
  const auto started = std::chrono::steady_clock::now();
  slow.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_EQ(client_->Get("/").status, 200);
}

}  // namespace
}  // namespace mlprod::api::testing
