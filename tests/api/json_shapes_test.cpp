// The JSON shapes of json_mapping.h against the component schemas of openapi.json, and the
// document against the router: every route documented, every documented route served, and every
// route documenting the answers the HTTP policy and its own refusals give.
#include <gtest/gtest.h>

#include <set>

#include "api/api_service.h"
#include "api/assets.h"
#include "api/http_policy.h"
#include "api/json_mapping.h"
#include "fakes/memory_store.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"
#include "schema_checker.h"

namespace mlprod::api {
namespace {

testing::SchemaChecker Checker() {
  return testing::SchemaChecker(nlohmann::json::parse(assets::OpenApiJson()));
}

std::string Problems(const std::vector<std::string>& p) {
  std::string out;
  for (const auto& s : p) out += s + "\n";
  return out;
}

TEST(OpenApi, DocumentIsOpenApi3WithTheComponentSchemas) {
  const auto doc = nlohmann::json::parse(assets::OpenApiJson());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const char* name : {"UserData", "TaskStatus", "ResultRow", "Location", "User", "Model",
                           "HTTPValidationError", "ValidationError", "HTTPError", "Selection"}) {
    EXPECT_TRUE(doc["components"]["schemas"].contains(name)) << name;
  }
}

TEST(OpenApi, LocationJsonMatchesSchema) {
  Location l;
  l.location_id = 4;
  l.price = 99.5;
  l.has_spa = true;
  EXPECT_EQ(Problems(Checker().CheckComponent(LocationJson(l), "Location")), "");
}

TEST(OpenApi, UserJsonMatchesSchema) {
  User u;
  u.user_id = 7;
  u.time_arrival = "2027-01-02";
  EXPECT_EQ(Problems(Checker().CheckComponent(UserJson(u), "User")), "");
}

TEST(OpenApi, ResultRowJsonCarriesEveryLocationField) {
  store::ResultRow row;
  row.result_id = 3;
  row.location_id = 9;
  row.location.location_id = 9;
  row.score = 0.42;
  const auto j = ResultRowJson(row);
  EXPECT_EQ(Problems(Checker().CheckComponent(j, "ResultRow")), "");
  const auto location = LocationJson(row.location);
  for (const auto& [field, value] : location.items()) {
    if (field != "creation_time") {
      EXPECT_TRUE(j.contains(field)) << field;
    }
  }
  EXPECT_EQ(j["score"], 0.42);
}

TEST(OpenApi, LiveFeedbackHasRatesOnlyWithAnswers) {
  const auto none = LiveFeedbackJson(store::ModelFeedback{});
  EXPECT_TRUE(none["pick_rate"].is_null());
  EXPECT_TRUE(none["mean_pick_position"].is_null());
  EXPECT_EQ(none["pick_positions"].size(), 11u);

  store::ModelFeedback f;
  f.pick_positions[0] = 2;
  f.pick_positions[10] = 1;  // beyond the list counts as position 10
  f.picks = 3;
  f.no_picks = 1;
  f.lists = 4;
  const auto j = LiveFeedbackJson(f);
  EXPECT_DOUBLE_EQ(j["pick_rate"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["mean_pick_position"].get<double>(), 10.0 / 3);
  EXPECT_EQ(j["pick_positions"][10], 1);
  store::ModelRow m;
  m.task_id = "baseline";
  m.status = "promoted";
  EXPECT_EQ(Problems(Checker().CheckComponent(ModelJson(m, f), "Model")), "");
  EXPECT_EQ(Problems(Checker().CheckComponent(j, "LiveFeedback")), "");
}

TEST(OpenApi, ModelAndTaskStatusMatchSchemas) {
  store::ModelRow m;
  m.task_id = "baseline";
  m.status = "promoted";
  m.use_percentage = 1;
  const auto c = Checker();
  EXPECT_EQ(Problems(c.CheckComponent(ModelJson(m, store::ModelFeedback{}), "Model")), "");
  // Unmeasured metrics are null, and the offline comparison comes from the evidence.
  m.test.auc = 0.7;
  m.evidence = R"({"offline":{"rule":"r","test_rows":3}})";
  const auto j = ModelJson(m, store::ModelFeedback{});
  EXPECT_TRUE(j["test"]["acc"].is_null());
  EXPECT_EQ(j["test"]["auc"], 0.7);
  EXPECT_EQ(j["offline"]["test_rows"], 3);
  EXPECT_EQ(j["state"], "promoted");
  EXPECT_EQ(Problems(c.CheckComponent(j, "Model")), "");
  EXPECT_FALSE(
      c.CheckComponent(ModelJson(store::ModelRow{.status = "SUCCESS"}, store::ModelFeedback{}),
                       "Model")
          .empty());
  EXPECT_EQ(Problems(c.CheckComponent(
                TaskStatusJson("7548290e-0844-49f5-aaa9-0190f9eab9dc", "PENDING", "inference"),
                "TaskStatus")),
            "");
  EXPECT_FALSE(c.CheckComponent(TaskStatusJson("x", "DONE", "inference"), "TaskStatus").empty());
}

TEST(OpenApi, CheckerRejectsWrongShapes) {
  const auto c = Checker();
  EXPECT_FALSE(c.CheckComponent(nlohmann::json::array(), "Location").empty());
  EXPECT_FALSE(c.CheckComponent({{"locations", "many"}, {"users", 1}}, "ContentInfo").empty());
  EXPECT_FALSE(
      c.CheckComponent({{"detail", {{{"loc", {"body", 1.5}}}}}}, "HTTPValidationError").empty());
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteIsServed) {
  auto store = fakes::MemoryStore();
  ASSERT_NE(store, nullptr);
  queue::InprocBroker broker;
  queue::InprocResultBackend backend;
  Router router;
  ApiService service(ApiDeps{*store, broker, backend, nullptr, nullptr, ""});
  service.Register(router);
  const auto doc = nlohmann::json::parse(assets::OpenApiJson());
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) documented.insert(method + " " + path);
  }
  std::set<std::string> served;
  for (const auto& route : router.routes()) {
    // Static files of the Swagger UI and the dashboard page.
    if (route.path_template.starts_with("/docs/")) continue;
    if (route.path_template.starts_with("/dashboard/assets/")) continue;
    std::string method(boost::beast::http::to_string(route.method));
    for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    served.insert(method + " " + route.path_template);
  }
  served.insert("get /metrics");  // registered only when an exposition is given
  EXPECT_EQ(served, documented);
}

// What the HTTP server answers for any route before (or instead of) its handler, and the
// refusals issue 16 added to single handlers. The server tests check the answers on the wire
// against the document (ApiServerTest::TearDown, http_hardening_test.cpp).
TEST(OpenApi, EveryRouteDocumentsThePolicyAnswersAndItsOwnRefusals) {
  const auto c = Checker();
  const auto& doc = c.doc();
  std::set<std::string> problems;
  auto expect = [&](const std::string& method, const std::string& path, int status) {
    std::string why;
    const auto* r = c.DocumentedResponse(method, path, status, why);
    if (r == nullptr) {
      problems.insert(why);
      return;
    }
    if (!r->contains("description") || !r->contains("content")) {
      problems.insert(method + " " + path + " " + std::to_string(status) +
                      ": no description or body");
      return;
    }
    const auto schema = (*r)["content"]["application/json"]["schema"];
    // 422 carries FastAPI's validation list; every other refusal a {"detail": "..."} string.
    if (status != 422 && !c.Check({{"detail", "refused"}}, schema).empty()) {
      problems.insert(method + " " + path + " " + std::to_string(status) +
                      ": a {\"detail\": ...} body does not match " + schema.dump());
    }
    if (status == 503 && !(r->contains("headers") && (*r)["headers"].contains("Retry-After"))) {
      problems.insert(method + " " + path + " 503: no Retry-After header documented");
    }
  };
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      for (int status : {400, 413, 421, 431, 500, 501, 503}) expect(upper, path, status);
      if (IsStateChanging(boost::beast::http::string_to_verb(upper))) {
        for (int status : {403, 415}) expect(upper, path, status);
      }
    }
  }
  expect("PUT", "/inference/select/", 409);  // one answer per task
  expect("PUT", "/inference/select/", 422);  // a location not shown
  expect("PUT", "/models/{task_id}", 409);   // model changes refused
  for (const std::string path : {"/content/locations", "/content/users", "/content/results"}) {
    expect("GET", path, 422);  // skip too deep
  }
  for (const std::string path :
       {"/train/start", "/content/users", "/content/results", "/content/user/{id}"}) {
    expect(path == "/train/start" ? "POST" : "GET", path, 401);  // a key is missing or wrong
  }
  expect("PUT", "/models/{task_id}", 401);
  EXPECT_TRUE(problems.empty()) << Problems(
      std::vector<std::string>(problems.begin(), problems.end()));
  // A status a route does not give is not documented: the check above can fail.
  std::string why;
  EXPECT_EQ(c.DocumentedResponse("GET", "/", 409, why), nullptr);
  EXPECT_NE(why.find("409"), std::string::npos) << why;
}

}  // namespace
}  // namespace mlprod::api
