#include "traffic/api_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "data/profiles.h"

namespace mlprod::traffic {
namespace {

TEST(UserDataJson, CarriesEveryUserDataFieldFromAGeneratedUser) {
  data::UserProfile family;
  family.meta_comment = "Family";
  family.people_min = 4;
  family.people_max = 5;
  family.age_min = 5;
  family.age_max = 10;
  family.minor_age = 17;
  family.pool_thr = 1;
  family.spa_thr = 0;
  data::Rng rng(1);
  const data::UserData user = data::GenerateUser(family, *ParseDate("2026-03-01"), rng);
  const auto j = nlohmann::json::parse(UserDataJson(user));
  EXPECT_EQ(j["name"], "Family");
  EXPECT_EQ(j["people_num"], 4);
  ASSERT_TRUE(j["people_age"].is_array());
  EXPECT_EQ(j["people_age"].size(), 4u);
  EXPECT_EQ(j["people_age"].get<std::vector<int>>(), user.people_age);
  EXPECT_EQ(j["children_num"], 1);
  EXPECT_EQ(j["budget"].get<double>(), user.user.budget);
  EXPECT_EQ(j["nights"], user.user.nights);
  EXPECT_EQ(j["time_arrival"], user.user.time_arrival);
  EXPECT_TRUE(ParseDate(j["time_arrival"].get<std::string>()).ok());
  EXPECT_EQ(j["pool"], true);
  EXPECT_EQ(j["spa"], false);
  for (const char* key : {"pet_friendly", "lake", "mountain", "sport"}) {
    EXPECT_TRUE(j[key].is_boolean()) << key;
  }
  EXPECT_EQ(j.size(), 13u);
}

TEST(SelectJson, NamesTaskAndLocation) {
  const auto j = nlohmann::json::parse(SelectJson("abc", -1));
  EXPECT_EQ(j, (nlohmann::json{{"task_id", "abc"}, {"location_id", -1}}));
}

TEST(ParseTaskStatus, ReadsIdAndStatus) {
  auto s = ParseTaskStatus(R"({"task_id":"t-1","status":"SUCCESS","type":"inference"})");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->task_id, "t-1");
  EXPECT_EQ(s->status, "SUCCESS");
  EXPECT_FALSE(ParseTaskStatus("{\"task_id\":1,\"status\":\"x\"}").ok());
  EXPECT_FALSE(ParseTaskStatus("not json").ok());
  EXPECT_EQ(ParseTaskStatus("[1").error().code, ErrorCode::kInvalidArgument);
}

TEST(ParseResults, ReadsLocationFieldsForTheLabeller) {
  auto r = ParseResults(R"([
    {"score":0.9,"location_id":17,"price":120.5,"has_pool":true,"has_spa":false,"animals":1,
     "near_lake":true,"family_rating":2.5,"user_score":4,"children":false,"lat":46.1},
    {"score":0.1,"location_id":3,"price":80}
  ])");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  const Location& a = (*r)[0];
  EXPECT_EQ(a.location_id, 17);
  EXPECT_EQ(a.price, 120.5);
  EXPECT_TRUE(a.has_pool);
  EXPECT_FALSE(a.has_spa);
  EXPECT_TRUE(a.animals);
  EXPECT_TRUE(a.near_lake);
  EXPECT_EQ(a.family_rating, 2.5);
  EXPECT_EQ(a.user_score, 4);
  EXPECT_EQ(a.lat, 46.1);
  EXPECT_EQ((*r)[1].location_id, 3);
  EXPECT_FALSE((*r)[1].near_mountains);
}

TEST(ParseResults, ReportsTheModelThatScoredTheList) {
  std::string model_id = "stale";
  auto r = ParseResults(R"([{"location_id":1,"price":2,"model_id":"m-7"},
                            {"location_id":2,"price":3,"model_id":"m-7"}])",
                        &model_id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(model_id, "m-7");
  ASSERT_TRUE(ParseResults(R"([{"location_id":1,"price":2}])", &model_id).ok());
  EXPECT_EQ(model_id, "");
  // An explored list is reported as its own group, whichever model scored its rows.
  ASSERT_TRUE(
      ParseResults(R"([{"location_id":1,"price":2,"model_id":"m-7","explored":true}])", &model_id)
          .ok());
  EXPECT_EQ(model_id, "explored");
  ASSERT_TRUE(
      ParseResults(R"([{"location_id":1,"price":2,"model_id":"m-7","explored":false}])", &model_id)
          .ok());
  EXPECT_EQ(model_id, "m-7");
}

TEST(ParseResults, RejectsWhatTheLabellerCannotUse) {
  EXPECT_FALSE(ParseResults(R"({"location_id":1,"price":2})").ok());
  EXPECT_FALSE(ParseResults(R"([{"price":2}])").ok());
  EXPECT_FALSE(ParseResults(R"([{"location_id":"1","price":2}])").ok());
  EXPECT_FALSE(ParseResults(R"([{"location_id":1}])").ok());
  EXPECT_TRUE(ParseResults("[]").ok());
}

}  // namespace
}  // namespace mlprod::traffic
