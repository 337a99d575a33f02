#include "api/router.h"

#include <gtest/gtest.h>

namespace mlprod::api {
namespace {

SyncHandler Answer(int status) {
  return [status](const Request&) {
    Response r;
    r.status = status;
    return r;
  };
}

Router SampleRouter() {
  Router r;
  r.Add(Verb::get, "/", Answer(200));
  r.Add(Verb::get, "/inference/status/{task_id}", Answer(201));
  r.Add(Verb::put, "/inference/select/", Answer(202));
  r.Add(Verb::get, "/models/{task_id}", Answer(203));
  r.Add(Verb::put, "/models/{task_id}", Answer(204));
  r.Add(Verb::get, "/models", Answer(205));
  return r;
}

TEST(Router, MatchesTemplateAndCapturesParameter) {
  const Router r = SampleRouter();
  const Match m = r.Find(Verb::get, "/inference/status/abc-123");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->path_template, "/inference/status/{task_id}");
  ASSERT_EQ(m.param_count, 1u);
  EXPECT_EQ(m.params[0], "abc-123");
  EXPECT_EQ(m.route->sync(Request{}).status, 201);
}

TEST(Router, RootMatchesOnlyRoot) {
  const Router r = SampleRouter();
  ASSERT_NE(r.Find(Verb::get, "/").route, nullptr);
  EXPECT_EQ(r.Find(Verb::get, "/").route->path_template, "/");
  EXPECT_FALSE(r.Find(Verb::get, "/nothing").path_known);
}

TEST(Router, UnknownPathIsNotKnown) {
  const Router r = SampleRouter();
  for (const char* path : {"/inference/status", "/inference/status/a/b", "/inference",
                           "/models/a/b", "", "models", "/inference/status//"}) {
    const Match m = r.Find(Verb::get, path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_FALSE(m.path_known) << path;
  }
}

TEST(Router, WrongMethodOnKnownPathListsAllowedMethods) {
  const Router r = SampleRouter();
  const Match m = r.Find(Verb::delete_, "/models/baseline");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allow, "GET, PUT");
  EXPECT_EQ(m.path_template, "/models/{task_id}");
}

TEST(Router, PicksRouteByMethodOnSharedTemplate) {
  const Router r = SampleRouter();
  EXPECT_EQ(r.Find(Verb::get, "/models/x").route->sync(Request{}).status, 203);
  EXPECT_EQ(r.Find(Verb::put, "/models/x").route->sync(Request{}).status, 204);
  EXPECT_EQ(r.Find(Verb::get, "/models").route->sync(Request{}).status, 205);
}

TEST(Router, TrailingSlashIsNotSignificant) {
  const Router r = SampleRouter();
  EXPECT_NE(r.Find(Verb::put, "/inference/select/").route, nullptr);
  EXPECT_NE(r.Find(Verb::put, "/inference/select").route, nullptr);
  EXPECT_NE(r.Find(Verb::get, "/models/").route, nullptr);
}

TEST(Router, RouteIdsAreDenseInRegistrationOrder) {
  const Router r = SampleRouter();
  for (std::size_t i = 0; i < r.routes().size(); ++i) EXPECT_EQ(r.routes()[i].id, i);
}

TEST(RouterDeathTest, DuplicateRouteAborts) {
  EXPECT_DEATH(
      {
        Router r;
        r.Add(Verb::get, "/a/{x}", Answer(200));
        r.Add(Verb::get, "/a/{y}/", Answer(200));
      },
      "duplicate route");
}

}  // namespace
}  // namespace mlprod::api
