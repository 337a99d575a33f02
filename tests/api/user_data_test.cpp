#include "api/user_data.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mlprod::api {
namespace {

nlohmann::json Valid() {
  return {{"name", "Ada"},
          {"people_num", 3},
          {"people_age", {41, 39, 9}},
          {"children_num", 1},
          {"budget", 1500.5},
          {"nights", 7},
          {"time_arrival", "2027-07-14"},
          {"pool", true},
          {"spa", false},
          {"pet_friendly", false},
          {"lake", true},
          {"mountain", false},
          {"sport", true}};
}

TEST(UserData, ValidBodyBuildsUserWithAgeStatistics) {
  const auto parsed = ParseUserData(Valid().dump());
  ASSERT_TRUE(parsed.user.has_value());
  const User& u = *parsed.user;
  EXPECT_EQ(u.name, "Ada");
  EXPECT_EQ(u.people_num, 3);
  EXPECT_EQ(u.children_num, 1);
  EXPECT_EQ(u.age_min, 9);
  EXPECT_EQ(u.age_max, 41);
  EXPECT_NEAR(u.age_avg, 89.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(u.budget, 1500.5);
  EXPECT_EQ(u.nights, 7);
  EXPECT_EQ(u.time_arrival, "2027-07-14");
  EXPECT_TRUE(u.pool);
  EXPECT_FALSE(u.spa);
  EXPECT_TRUE(u.lake);
  EXPECT_TRUE(u.sport);
}

TEST(UserData, AcceptsOldChildrenFieldAndIgnoresUnknownFields) {
  auto body = Valid();
  body.erase("children_num");
  body["children"] = 1;
  body["favourite_colour"] = "blue";
  body.erase("name");
  const auto parsed = ParseUserData(body.dump());
  ASSERT_TRUE(parsed.user.has_value());
  EXPECT_EQ(parsed.user->children_num, 1);
  EXPECT_EQ(parsed.user->name, "");
}

TEST(UserData, AcceptsLaxNumbersLikePydantic) {
  auto body = Valid();
  body["people_num"] = "3";
  body["nights"] = 7.0;
  body["budget"] = 900;
  body["pool"] = 1;
  const auto parsed = ParseUserData(body.dump());
  ASSERT_TRUE(parsed.user.has_value());
  EXPECT_EQ(parsed.user->people_num, 3);
  EXPECT_EQ(parsed.user->nights, 7);
  EXPECT_TRUE(parsed.user->pool);
}

struct BadCase {
  const char* what;
  std::function<void(nlohmann::json&)> change;
  nlohmann::json loc;
  const char* type;
};

TEST(UserData, RejectsEachInvalidFieldWithFastApiIssue) {
  const std::vector<BadCase> cases = {
      {"missing people_num",
       [](auto& b) { b.erase("people_num"); },
       {"body", "people_num"},
       "missing"},
      {"people_num 0",
       [](auto& b) { b["people_num"] = 0; },
       {"body", "people_num"},
       "greater_than_equal"},
      {"people_num huge",
       [](auto& b) { b["people_num"] = 1000; },
       {"body", "people_num"},
       "less_than_equal"},
      {"people_num float",
       [](auto& b) { b["people_num"] = 2.5; },
       {"body", "people_num"},
       "int_from_float"},
      {"people_num text",
       [](auto& b) { b["people_num"] = "three"; },
       {"body", "people_num"},
       "int_parsing"},
      {"people_num bool",
       [](auto& b) { b["people_num"] = true; },
       {"body", "people_num"},
       "int_type"},
      {"age negative",
       [](auto& b) { b["people_age"][1] = -1; },
       {"body", "people_age", 1},
       "greater_than_equal"},
      {"age 121",
       [](auto& b) { b["people_age"][2] = 121; },
       {"body", "people_age", 2},
       "less_than_equal"},
      {"ages not list", [](auto& b) { b["people_age"] = 40; }, {"body", "people_age"}, "list_type"},
      {"ages count",
       [](auto& b) {
         b["people_age"] = {40, 41};
       },
       {"body", "people_age"},
       "value_error"},
      {"children negative",
       [](auto& b) { b["children_num"] = -1; },
       {"body", "children_num"},
       "greater_than_equal"},
      {"children > people",
       [](auto& b) { b["children_num"] = 4; },
       {"body", "children_num"},
       "value_error"},
      {"budget zero", [](auto& b) { b["budget"] = 0; }, {"body", "budget"}, "greater_than"},
      {"budget huge", [](auto& b) { b["budget"] = 1e12; }, {"body", "budget"}, "less_than_equal"},
      {"budget text", [](auto& b) { b["budget"] = "lots"; }, {"body", "budget"}, "float_parsing"},
      {"budget object",
       [](auto& b) { b["budget"] = nlohmann::json::object(); },
       {"body", "budget"},
       "float_type"},
      {"nights zero", [](auto& b) { b["nights"] = 0; }, {"body", "nights"}, "greater_than_equal"},
      {"nights year+", [](auto& b) { b["nights"] = 366; }, {"body", "nights"}, "less_than_equal"},
      {"date format",
       [](auto& b) { b["time_arrival"] = "14/07/2027"; },
       {"body", "time_arrival"},
       "date_from_datetime_parsing"},
      {"date day",
       [](auto& b) { b["time_arrival"] = "2027-02-30"; },
       {"body", "time_arrival"},
       "date_from_datetime_parsing"},
      {"date number",
       [](auto& b) { b["time_arrival"] = 20270714; },
       {"body", "time_arrival"},
       "date_type"},
      {"bool text", [](auto& b) { b["spa"] = "maybe"; }, {"body", "spa"}, "bool_type"},
      {"bool 2", [](auto& b) { b["lake"] = 2; }, {"body", "lake"}, "bool_type"},
      {"missing sport", [](auto& b) { b.erase("sport"); }, {"body", "sport"}, "missing"},
      {"null pool", [](auto& b) { b["pool"] = nullptr; }, {"body", "pool"}, "missing"},
      {"name long",
       [](auto& b) { b["name"] = std::string(201, 'x'); },
       {"body", "name"},
       "string_too_long"},
      {"name number", [](auto& b) { b["name"] = 5; }, {"body", "name"}, "string_type"},
      {"name with NUL",
       [](auto& b) { b["name"] = std::string("Ann\0; DROP", 11); },
       {"body", "name"},
       "string_pattern_mismatch"},
  };
  for (const auto& c : cases) {
    auto body = Valid();
    c.change(body);
    const auto parsed = ParseUserData(body.dump());
    EXPECT_FALSE(parsed.user.has_value()) << c.what;
    ASSERT_EQ(parsed.issues.size(), 1u) << c.what;
    EXPECT_EQ(parsed.issues[0].loc, c.loc) << c.what;
    EXPECT_EQ(parsed.issues[0].type, c.type) << c.what;
    EXPECT_FALSE(parsed.issues[0].msg.empty()) << c.what;
  }
}

TEST(UserData, HugeAgeListCostsOneIssue) {
  auto body = Valid();
  body["people_age"] = std::vector<int>(10000, 30);
  const auto parsed = ParseUserData(body.dump());
  ASSERT_EQ(parsed.issues.size(), 1u);
  EXPECT_EQ(parsed.issues[0].type, "too_long");
}

TEST(UserData, ReportsEveryProblemAtOnce) {
  const auto parsed = ParseUserData(R"({"people_num": 0, "budget": -1})");
  EXPECT_FALSE(parsed.user.has_value());
  // people_num, people_age, children_num, budget, nights, time_arrival, six flags.
  EXPECT_EQ(parsed.issues.size(), 12u);
}

TEST(UserData, MalformedJsonIsJsonInvalid) {
  for (const char* body : {"{", "", "{\"people_num\": }", "nul", "{\"a\":\"\xff\"}"}) {
    const auto parsed = ParseUserData(body);
    ASSERT_EQ(parsed.issues.size(), 1u) << body;
    EXPECT_EQ(parsed.issues[0].type, "json_invalid") << body;
  }
}

TEST(UserData, NonObjectBodyIsRejected) {
  for (const char* body : {"[]", "3", "\"user\"", "null"}) {
    const auto parsed = ParseUserData(body);
    ASSERT_EQ(parsed.issues.size(), 1u) << body;
    EXPECT_EQ(parsed.issues[0].type, "model_attributes_type") << body;
  }
}

}  // namespace
}  // namespace mlprod::api
