#include "api/errors.h"

#include <gtest/gtest.h>

#include "api/validation.h"

namespace mlprod::api {
namespace {

TEST(ErrorTable, MapsEveryErrorCodeToItsStatus) {
  const std::vector<std::pair<ErrorCode, int>> table = {
      {ErrorCode::kInvalidArgument, 422}, {ErrorCode::kNotFound, 404},
      {ErrorCode::kConflict, 409},        {ErrorCode::kUnauthenticated, 401},
      {ErrorCode::kUnavailable, 503},     {ErrorCode::kDeadlineExceeded, 503},
      {ErrorCode::kDataLoss, 500},        {ErrorCode::kInternal, 500}};
  for (const auto& [code, status] : table) {
    EXPECT_EQ(HttpStatusFor(code), status) << ErrorCodeName(code);
    const Response r = ErrorResponse(MakeError(code, "why"));
    EXPECT_EQ(r.status, status);
    const std::string_view detail = status == 503   ? kUnavailableDetail
                                    : status == 500 ? kInternalDetail
                                                    : std::string_view("why");
    EXPECT_EQ(nlohmann::json::parse(r.body), nlohmann::json({{"detail", detail}}));
    EXPECT_EQ(r.content_type, kJsonType);
  }
}

// Dependency errors name hosts, ports and files: a 5xx body says only what kind of failure it
// was (the message goes to the log).
TEST(ErrorTable, ServerErrorBodiesNeverCarryTheDependencysMessage) {
  for (const char* raw : {"select result: database unavailable: connection to server at "
                          "\"127.0.0.1\", port 55891 failed",
                          "insert results: database or disk is full"}) {
    for (ErrorCode code :
         {ErrorCode::kUnavailable, ErrorCode::kDeadlineExceeded, ErrorCode::kInternal}) {
      const Response r = ErrorResponse(MakeError(code, raw));
      EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << r.body;
      EXPECT_EQ(r.body.find("55891"), std::string::npos) << r.body;
      EXPECT_EQ(r.body.find("disk"), std::string::npos) << r.body;
      EXPECT_FALSE(r.exception.empty());
    }
  }
}

TEST(ErrorTable, ServerErrorsNameTheirKindForTheExceptionCounter) {
  EXPECT_EQ(ErrorResponse(MakeError(ErrorCode::kUnavailable, "db down")).exception, "unavailable");
  EXPECT_TRUE(ErrorResponse(MakeError(ErrorCode::kNotFound, "x")).exception.empty());
  EXPECT_TRUE(ErrorResponse(MakeError(ErrorCode::kUnauthenticated, "x")).www_authenticate);
}

TEST(ErrorTable, ValidationResponseHasFastApiShape) {
  const Response r = ValidationResponse({{{"body", "people_age", 3},
                                          "Input should be less than or equal to 120",
                                          "less_than_equal"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"detail":[{"loc":["body","people_age",3],
              "msg":"Input should be less than or equal to 120","type":"less_than_equal"}]})"));
}

TEST(ErrorTable, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  const std::string bad = "task \xff\xfe";
  const Response r = DetailResponse(404, bad);
  EXPECT_EQ(r.status, 404);
  const auto parsed = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["detail"].get<std::string>().substr(0, 5), "task ");
}

TEST(QueryParams, DecodesPercentAndPlusAndFindsByName) {
  EXPECT_EQ(QueryParam("a=1&limit=20", "limit"), "20");
  EXPECT_EQ(QueryParam("task_id=a%2Db+c", "task_id"), "a-b c");
  EXPECT_EQ(QueryParam("limits=3", "limit"), std::nullopt);
  EXPECT_EQ(QueryParam("limit", "limit"), "");
  EXPECT_EQ(QueryParam("x=%zz", "x"), "%zz");
  EXPECT_EQ(QueryParam("", "x"), std::nullopt);
}

TEST(QueryParams, IntegerParameterIsRangeChecked) {
  std::vector<ValidationIssue> issues;
  Checker check(issues);
  EXPECT_EQ(QueryInt(check, "", "limit", 10, 1, 1000), 10);
  EXPECT_EQ(QueryInt(check, "limit=1000", "limit", 10, 1, 1000), 1000);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(QueryInt(check, "limit=0", "limit", 10, 1, 1000), std::nullopt);
  EXPECT_EQ(QueryInt(check, "limit=ten", "limit", 10, 1, 1000), std::nullopt);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].loc, nlohmann::json({"query", "limit"}));
  EXPECT_EQ(issues[0].type, "greater_than_equal");
  EXPECT_EQ(issues[1].type, "int_parsing");
}

TEST(ContentType, JsonOrAbsentIsAccepted) {
  auto with = [](std::string_view ct) {
    Request r;
    r.content_type = ct;
    return JsonBodyAllowed(r);
  };
  EXPECT_TRUE(with(""));
  EXPECT_TRUE(with("application/json"));
  EXPECT_TRUE(with("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(with("application/vnd.api+json"));
  EXPECT_FALSE(with("text/plain"));
  EXPECT_FALSE(with("application/x-www-form-urlencoded"));
}

}  // namespace
}  // namespace mlprod::api
