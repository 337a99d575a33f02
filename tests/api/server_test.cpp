// The server in-process over the real SQLite store and the in-process queue: the inference
// loop, long polling, metrics, access control, health, models, docs and graceful stop.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "api/errors.h"
#include "api_test_env.h"
#include "common/uuid.h"
#include "store/sql/open_store.h"

namespace mlprod::api::testing {
namespace {

using boost::beast::http::verb;

TEST_F(ApiServerTest, RootGreetsWithJsonString) {
  const Reply r = client_->Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), "Hi! \xF0\x9F\x98\x80");
  EXPECT_EQ(r.header("content-type"), "application/json");
}

TEST_F(ApiServerTest, InferenceLoopFromStartToSelection) {
  const auto before = StoreCounts();
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  ASSERT_EQ(started.status, 200) << started.body;
  const auto task_id = started.json()["task_id"].get<std::string>();
  EXPECT_EQ(started.json()["status"], "PENDING");
  EXPECT_EQ(started.json()["type"], "inference");
  EXPECT_EQ(StoreCounts().users, before.users + 1);

  EXPECT_EQ(client_->Get("/inference/status/" + task_id).json()["status"], "PENDING");
  ASSERT_EQ(PlayInferenceWorker(), task_id);
  const Reply status = client_->Get("/inference/status/" + task_id);
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.json()["status"], "SUCCESS");

  const Reply results = client_->Get("/inference/results/" + task_id + "?limit=5");
  ASSERT_EQ(results.status, 200) << results.body;
  const auto rows = results.json();
  ASSERT_EQ(rows.size(), 5u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i]["location_id"], kLocations - static_cast<int>(i));  // score = id / 100
    EXPECT_TRUE(rows[i]["shown"].get<bool>());
    if (i > 0) {
      EXPECT_GE(rows[i - 1]["score"].get<double>(), rows[i]["score"].get<double>());
    }
  }

  const nlohmann::json pick = {{"task_id", task_id}, {"location_id", rows[1]["location_id"]}};
  const Reply selected = client_->Call(verb::put, "/inference/select/", pick.dump());
  ASSERT_EQ(selected.status, 200) << selected.body;
  EXPECT_EQ(selected.json()["label"], 1);
  EXPECT_EQ(selected.json()["location_id"], rows[1]["location_id"]);

  // The pick is the task's answer: "no pick" afterwards is refused.
  const nlohmann::json none = {{"task_id", task_id}, {"location_id", -1}};
  const Reply rejected = client_->Call(verb::put, "/inference/select/", none.dump());
  EXPECT_EQ(rejected.status, 409) << rejected.body;

  const nlohmann::json missing = {{"task_id", task_id}, {"location_id", 9999}};
  EXPECT_EQ(client_->Call(verb::put, "/inference/select/", missing.dump()).status, 404);
  EXPECT_EQ(StoreCounts().selected, 1);
}

TEST_F(ApiServerTest, FailedTaskAnswers500TaskFailed) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  queue::TaskResult failed;
  failed.task_id = task_id;
  failed.state = queue::TaskState::kFailure;
  failed.result = {
      {"exc_type", "ValueError"}, {"exc_message", {"boom"}}, {"exc_module", "builtins"}};
  ASSERT_TRUE(backend_->Store(failed).ok());
  const Reply status = client_->Get("/inference/status/" + task_id);
  EXPECT_EQ(status.status, 500);
  EXPECT_EQ(status.json(), nlohmann::json({{"detail", "Task failed"}}));
}

TEST_F(ApiServerTest, LongPollWakesAsSoonAsTheTaskIsReady) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  auto poll = std::async(std::launch::async, [&] {
    Client other(server_->port());
    return other.Get("/inference/status/" + task_id + "?wait=25");
  });
  // The poll must still be waiting while the task is pending.
  EXPECT_EQ(poll.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  PlayInferenceWorker();
  // Far below the 25 s the poll asked for: the backend's watch woke it.
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const Reply r = poll.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "SUCCESS");
}

// A reference worker in a mixed fleet stores SUCCESS with result null and leaves the row
// PENDING; the status answer records it, on a plain read and at the end of a long poll.
TEST_F(ApiServerTest, AReferenceWorkersSuccessIsRecordedOnTheRowWhenAnswered) {
  auto start = [&] {
    const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
    return started.json()["task_id"].get<std::string>();
  };
  auto reference_success = [&](const std::string& task_id) {
    ASSERT_TRUE(
        backend_
            ->Store({.task_id = task_id, .state = queue::TaskState::kSuccess, .result = nullptr})
            .ok());
  };
  auto row_status = [&](const std::string& task_id) {
    // The write is queued behind the answer.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string status;
    do {
      status = TaskStateName((*store_->GetInference(task_id))->status);
      if (status == "SUCCESS") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    return status;
  };
  const std::string read = start();
  reference_success(read);
  EXPECT_EQ((*store_->GetInference(read))->status, TaskState::kPending);
  EXPECT_EQ(client_->Get("/inference/status/" + read).json()["status"], "SUCCESS");
  EXPECT_EQ(row_status(read), "SUCCESS");

  const std::string polled = start();
  auto poll = std::async(std::launch::async, [&] {
    Client other(server_->port());
    return other.Get("/inference/status/" + polled + "?wait=25");
  });
  EXPECT_EQ(poll.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  reference_success(polled);
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(poll.get().json()["status"], "SUCCESS");
  EXPECT_EQ(row_status(polled), "SUCCESS");
}

TEST_F(ApiServerTest, LongPollOnPendingTaskAnswersPendingAfterTheWait) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  const Reply r = client_->Get("/inference/status/" + task_id + "?wait=0.2");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "PENDING");
}

// The first lookup of a long poll on an inference this API started skips the row while the
// backend has it pending; when no result comes (the backend forgot a finished task: a Redis
// flush), the poll reads the row after its first half-second slice and answers the outcome.
TEST_F(ApiServerTest, ALongPollOnAFinishedTaskTheBackendForgotAnswersFromTheRow) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  ASSERT_TRUE(store_->UpdateInferenceStatus(task_id, TaskState::kSuccess).ok());
  auto poll = std::async(std::launch::async, [&] {
    Client other(server_->port());
    return other.Get("/inference/status/" + task_id + "?wait=25");
  });
  // Far below the 25 s asked for: nothing wakes the poll but its own read of the row.
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const Reply r = poll.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "SUCCESS");
  // A task this API never started is still 404 at once, long poll or not.
  EXPECT_EQ(client_->Get("/inference/status/00000000-0000-4000-8000-000000000000?wait=25").status,
            404);
}

TEST_F(ApiServerTest, MetricsRecordTemplatesNotRawPaths) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  client_->Get("/inference/status/" + task_id);
  client_->Get("/inference/status/00000000-0000-4000-8000-000000000000");
  client_->Get("/no/such/route/123");
  const Reply metrics = client_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("api_request_total{app_name=\"api\",method=\"GET\","
                      "path=\"/inference/status/{task_id}\",status_code=\"200\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("path=\"/inference/status/{task_id}\",status_code=\"404\""),
            std::string::npos);
  EXPECT_NE(text.find("path=\"unmatched\",status_code=\"404\""), std::string::npos);
  EXPECT_EQ(text.find(task_id), std::string::npos);
  EXPECT_EQ(text.find("/no/such/route"), std::string::npos);
  // The reference's series names: its Grafana panel "Processing time" reads
  // rate(api_processing_time_count[...]).
  EXPECT_NE(text.find("api_processing_time_bucket{"), std::string::npos);
  EXPECT_NE(text.find("api_processing_time_count{"), std::string::npos);
  EXPECT_EQ(text.find("api_processing_time_seconds"), std::string::npos);
  EXPECT_NE(text.find("api_active_inferences{app_name=\"api\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("process_resident_memory_bytes"), std::string::npos);
}

TEST_F(ApiServerTest, ActiveInferencesDropWhenStatusSeesReady) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  EXPECT_EQ(server_->metrics().active_inferences().Value(), 1);
  PlayInferenceWorker();
  client_->Get("/inference/status/" + task_id);
  client_->Get("/inference/status/" + task_id);
  EXPECT_EQ(server_->metrics().active_inferences().Value(), 0);
}

TEST_F(ApiServerTest, OtherFamiliesInTheSharedRegistryAppearInMetrics) {
  auto& family = prometheus::BuildGauge().Name("worker_test_gauge").Help("x").Register(*registry_);
  family.Add({}).Set(42);
  EXPECT_NE(client_->Get("/metrics").body.find("worker_test_gauge 42"), std::string::npos);
}

TEST_F(ApiServerTest, ApiKeyGuardsTrainingAndModelChanges) {
  ApiConfig config = DefaultConfig();
  config.api_key = "s3cret-key";
  StartServer(config);
  const Reply anonymous = client_->Call(verb::post, "/train/start");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  EXPECT_EQ(client_->Call(verb::post, "/train/start", "", {{"Authorization", "Bearer s3cret-kez"}})
                .status,
            401);
  EXPECT_EQ(client_->Call(verb::put, "/models/baseline", R"({"use_percentage":0.5})").status, 401);
  const Reply ok =
      client_->Call(verb::post, "/train/start", "", {{"Authorization", "Bearer s3cret-key"}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json()["type"], "training");
  auto delivery = broker_->Next(std::chrono::seconds(1));
  ASSERT_TRUE(delivery.ok() && *delivery);
  EXPECT_EQ((*delivery)->message().task, queue::kTrainingTask);
  EXPECT_EQ((*delivery)->message().id, ok.json()["task_id"]);
  ASSERT_TRUE((*delivery)->Ack().ok());
  // The scheme in any letter case (RFC 9110).
  for (const char* scheme : {"bearer", "BEARER", "BeArEr"}) {
    EXPECT_EQ(client_
                  ->Call(verb::post, "/train/start", "",
                         {{"Authorization", std::string(scheme) + " s3cret-key"}})
                  .status,
              200)
        << scheme;
  }
  // Other people's data needs the key; the task's own routes, counts, the catalogue, models,
  // health and metrics stay open, and the key shows up nowhere in the metrics.
  for (const char* personal :
       {"/content/users", "/content/user/1", "/content/results",
        "/content/results?task_id=00000000-0000-4000-8000-000000000000", "/content/result/1"}) {
    const Reply refused = client_->Get(personal);
    EXPECT_EQ(refused.status, 401) << personal;
    EXPECT_EQ(refused.header("www-authenticate"), "Bearer") << personal;
    EXPECT_NE(
        client_->Call(verb::get, personal, "", {{"Authorization", "Bearer s3cret-key"}}).status,
        401)
        << personal;
  }
  for (const char* open : {"/", "/content/info", "/content/locations", "/content/location/1",
                           "/models", "/health/live", "/metrics"}) {
    EXPECT_EQ(client_->Get(open).status, 200) << open;
  }
  EXPECT_EQ(client_->Get("/metrics").body.find("s3cret"), std::string::npos);
}

TEST_F(ApiServerTest, ReadKeyReadsUsersAndResultsButChangesNothing) {
  ApiConfig config = DefaultConfig();
  config.api_key = "admin-key";
  config.read_key = "read-key";
  StartServer(config);
  const std::map<std::string, std::string> reader = {{"Authorization", "Bearer read-key"}};
  EXPECT_EQ(client_->Call(verb::get, "/content/users", "", reader).status, 200);
  EXPECT_EQ(client_->Call(verb::get, "/content/results", "", reader).status, 200);
  EXPECT_EQ(client_->Call(verb::get, "/content/users", "", {{"Authorization", "Bearer admin-key"}})
                .status,
            200);
  EXPECT_EQ(
      client_->Call(verb::get, "/content/users", "", {{"Authorization", "Bearer wrong"}}).status,
      401);
  EXPECT_EQ(client_->Call(verb::post, "/train/start", "", reader).status, 401);
  EXPECT_EQ(client_
                ->Call(verb::put, "/models/baseline", R"({"use_percentage":0.5})",
                       {{"Authorization", "Bearer read-key"}, {"Content-Type", "application/json"}})
                .status,
            401);
  auto queued = broker_->Next(std::chrono::milliseconds(50));
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(*queued, nullptr);  // nothing was queued
}

// A full disk: a failed write answers 503 with a short detail (the driver's words go to the
// log), and readiness turns unavailable with the reason while reads still work.
// On a SQLite file, not the in-memory store: the full disk is a file capped at its size
// (max_page_count), and the answers must not name the file.
TEST_F(ApiServerTest, FullDiskAnswersShortDetailAndMakesReadinessUnavailable) {
  client_.reset();
  server_.reset();
  const std::string url = "sqlite://" + (dir_ / "api.db").string();
  {
    auto file = store::OpenStore(url);
    ASSERT_TRUE(file.ok()) << file.error().message;
    ASSERT_TRUE((*file)->Migrate().ok());
    ASSERT_NO_FATAL_FAILURE(FillStore(**file));
  }
  store::StoreOptions options;
  options.sqlite_max_page_count = 1;  // the file's current size: no page can be added
  auto capped = store::OpenStore(url, options);
  ASSERT_TRUE(capped.ok());
  store_ = std::move(*capped);
  StartServer(DefaultConfig());
  EXPECT_EQ(client_->Get("/health/ready").status, 200);
  Reply failed;
  for (int i = 0; i < 2000 && failed.status != 503; ++i) {
    failed = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
    ASSERT_TRUE(failed.status == 200 || failed.status == 503) << failed.body;
  }
  ASSERT_EQ(failed.status, 503);
  EXPECT_EQ(failed.json(), nlohmann::json({{"detail", kUnavailableDetail}}));
  const Reply ready = client_->Get("/health/ready");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(ready.json()["status"], "unavailable");
  EXPECT_EQ(ready.json()["checks"]["store"], "unavailable");
  EXPECT_EQ(ready.json()["checks"]["broker"], "ok");
  const std::string reason = ready.json()["reasons"]["store"].get<std::string>();
  EXPECT_NE(reason.find("disk full"), std::string::npos) << reason;
  EXPECT_EQ(ready.body.find("api.db"), std::string::npos) << ready.body;
  EXPECT_EQ(client_->Get("/content/info").status, 200);
}

TEST_F(ApiServerTest, TrainingStatusReadsTheBackend) {
  const Reply ok = client_->Call(verb::post, "/train/start");
  ASSERT_EQ(ok.status, 200);  // no key configured: open
  const auto id = ok.json()["task_id"].get<std::string>();
  EXPECT_EQ(client_->Get("/train/status/" + id).json()["status"], "PENDING");
  queue::TaskResult done;
  done.task_id = id;
  done.state = queue::TaskState::kSuccess;
  ASSERT_TRUE(backend_->Store(done).ok());
  EXPECT_EQ(client_->Get("/train/status/" + id).json(),
            nlohmann::json({{"task_id", id},
                            {"status", "SUCCESS"},
                            {"type", "training"},
                            {"state", "pending"},
                            {"reason", "queued by POST /train/start"}}));
}

TEST_F(ApiServerTest, RepeatedTrainStartAnswersWithTheTrainingQueuedOrRunning) {
  const Reply first = client_->Call(verb::post, "/train/start");
  ASSERT_EQ(first.status, 200);
  const auto id = first.json()["task_id"].get<std::string>();
  const Reply again = client_->Call(verb::post, "/train/start");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["task_id"], id);
  EXPECT_EQ(again.json()["status"], "PENDING");
  EXPECT_EQ(again.json()["type"], "training");
  EXPECT_EQ(broker_->Depth(), 1);  // one task queued, not two
  ASSERT_TRUE(store_
                  ->TransitionModel({.model_id = id,
                                     .from = store::ModelState::kPending,
                                     .to = store::ModelState::kTraining})
                  .ok());
  const Reply running = client_->Call(verb::post, "/train/start");
  EXPECT_EQ(running.json()["task_id"], id);
  EXPECT_EQ(running.json()["status"], "STARTED");
  EXPECT_EQ(broker_->Depth(), 1);
  // Once it is over (here: failed), the next start queues a new training.
  ASSERT_TRUE(store_
                  ->TransitionModel({.model_id = id,
                                     .from = store::ModelState::kTraining,
                                     .to = store::ModelState::kFailed,
                                     .reason = "test"})
                  .ok());
  const Reply next = client_->Call(verb::post, "/train/start");
  ASSERT_EQ(next.status, 200);
  EXPECT_NE(next.json()["task_id"], id);
  EXPECT_EQ(broker_->Depth(), 2);
}

TEST_F(ApiServerTest, TrainingStatusReportsTheStoresFailureReasonAndUnknownIdsAre404) {
  const std::string id = NewUuid();
  ASSERT_TRUE(store_->RegisterModel({.task_id = id, .status = "training"}).ok());
  ASSERT_TRUE(store_
                  ->TransitionModel({.model_id = id,
                                     .from = store::ModelState::kTraining,
                                     .to = store::ModelState::kFailed,
                                     .reason = "not enough shown results to train: have 2"})
                  .ok());
  // The result backend has no entry (PENDING): the store's record answers.
  const Reply failed = client_->Get("/train/status/" + id);
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(failed.json()["status"], "FAILURE");
  EXPECT_EQ(failed.json()["state"], "failed");
  EXPECT_EQ(failed.json()["reason"], "not enough shown results to train: have 2");
  EXPECT_EQ(schema_->CheckComponent(failed.json(), "TaskStatus").size(), 0u);
  const Reply unknown = client_->Get("/train/status/" + NewUuid());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json(), nlohmann::json({{"detail", "Task not found"}}));
}

TEST_F(ApiServerTest, ManualOverrideRefusesUnfinishedAndUnloadableModels) {
  ASSERT_TRUE(store_->RegisterModel({.task_id = "busy", .status = "training"}).ok());
  const Reply busy = client_->Call(verb::put, "/models/busy", R"({"use_percentage":1.0})");
  EXPECT_EQ(busy.status, 409);
  EXPECT_NE(busy.json()["detail"].get<std::string>().find("is training"), std::string::npos);
  ASSERT_TRUE(store_
                  ->RegisterModel(
                      {.task_id = "gone", .status = "retired", .path = (dir_ / "nope").string()})
                  .ok());
  const Reply gone = client_->Call(verb::put, "/models/gone", R"({"use_percentage":1.0})");
  EXPECT_EQ(gone.status, 409);
  EXPECT_NE(gone.json()["detail"].get<std::string>().find("does not load"), std::string::npos);
  EXPECT_EQ(client_->Get("/models/baseline").json()["use_percentage"], 1.0) << "nothing moved";
}

TEST_F(ApiServerTest, TheOnlyActiveModelCannotBeTakenToZeroTraffic) {
  const Reply last = client_->Call(verb::put, "/models/baseline", R"({"use_percentage":0})");
  EXPECT_EQ(last.status, 409) << last.body;
  EXPECT_NE(last.json()["detail"].get<std::string>().find("only active model"), std::string::npos);
  EXPECT_EQ(client_->Get("/models/baseline").json()["use_percentage"], 1.0) << "nothing moved";
  // A second active model whose folder does not load does not count as one that would serve.
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "broken",
                                   .status = "canary",
                                   .path = (dir_ / "nope").string(),
                                   .use_percentage = 0.5})
                  .ok());
  EXPECT_EQ(client_->Call(verb::put, "/models/baseline", R"({"use_percentage":0})").status, 409);
  // With another loadable active model, the baseline may go to 0.
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "other",
                                   .status = "canary",
                                   .path = (*store_->GetModel("baseline"))->path,
                                   .use_percentage = 0.5})
                  .ok());
  const Reply zero = client_->Call(verb::put, "/models/baseline", R"({"use_percentage":0})");
  ASSERT_EQ(zero.status, 200) << zero.body;
  EXPECT_EQ(zero.json()["use_percentage"], 0.0);
}

TEST_F(ApiServerTest, ManualPromotionRecordsAManualTransitionAndRetiresThePrevious) {
  ASSERT_TRUE(store_
                  ->RegisterModel({.task_id = "old-one",
                                   .status = "rejected",
                                   .path = (*store_->GetModel("baseline"))->path})
                  .ok());
  const Reply put = client_->Call(verb::put, "/models/old-one", R"({"use_percentage":1.0})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["state"], "promoted");
  const Reply model = client_->Get("/models/old-one");
  ASSERT_EQ(model.status, 200);
  EXPECT_EQ(schema_->CheckComponent(model.json(), "Model").size(), 0u) << model.body;
  const nlohmann::json transitions = model.json()["transitions"];
  ASSERT_EQ(transitions.size(), 2u);
  EXPECT_EQ(transitions[1]["from"], "rejected");
  EXPECT_EQ(transitions[1]["to"], "promoted");
  EXPECT_EQ(transitions[1]["manual"], true);
  const Reply baseline = client_->Get("/models/baseline");
  EXPECT_EQ(baseline.json()["state"], "retired");
  EXPECT_EQ(baseline.json()["use_percentage"], 0.0);
  EXPECT_TRUE(baseline.json()["train"]["auc"].is_null()) << "never measured: null";
}

TEST_F(ApiServerTest, ModelsAreListedReadAndReweighted) {
  const Reply list = client_->Get("/models");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().size(), 1u);
  EXPECT_EQ(list.json()[0]["task_id"], "baseline");
  EXPECT_EQ(client_->Get("/models/baseline").json()["use_percentage"], 1.0);
  EXPECT_EQ(client_->Get("/models/nope").status, 404);
  const Reply put = client_->Call(verb::put, "/models/baseline", R"({"use_percentage":0.25})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["use_percentage"], 0.25);
  EXPECT_EQ(client_->Call(verb::put, "/models/baseline", R"({"use_percentage":1.5})").status, 422);
  EXPECT_EQ(client_->Call(verb::put, "/models/nope", R"({"use_percentage":0.5})").status, 404);
}

TEST_F(ApiServerTest, ContentReadsAnswerCountsAndRows) {
  EXPECT_EQ(client_->Get("/content/info").json(),
            nlohmann::json({{"locations", kLocations}, {"users", 0}}));
  EXPECT_EQ(client_->Get("/content/location/3").json()["location_id"], 3);
  EXPECT_EQ(client_->Get("/content/location/999").status, 404);
  EXPECT_EQ(client_->Get("/content/locations?skip=20&limit=3").json().size(), 3u);
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  PlayInferenceWorker();
  EXPECT_EQ(client_->Get("/content/users").json().size(), 1u);
  const auto user_id = client_->Get("/content/users").json()[0]["user_id"].get<long long>();
  EXPECT_EQ(client_->Get("/content/user/" + std::to_string(user_id)).json()["name"], "Ada");
  const Reply results = client_->Get("/content/results?task_id=" + task_id + "&limit=1000");
  ASSERT_EQ(results.json().size(), static_cast<std::size_t>(kLocations));
  const auto result_id = results.json()[0]["result_id"].get<long long>();
  EXPECT_EQ(client_->Get("/content/result/" + std::to_string(result_id)).json()["task_id"],
            task_id);
}

TEST_F(ApiServerTest, ContentPagesTakeAKeysetCursorAndBoundTheirSkip) {
  const auto ids = [](const Reply& r, const char* key) {
    std::vector<long long> out;
    for (const auto& row : r.json()) out.push_back(row[key].get<long long>());
    return out;
  };
  EXPECT_EQ(ids(client_->Get("/content/locations?after=20&limit=3"), "location_id"),
            (std::vector<long long>{21, 22, 23}));
  // skip and limit keep their meaning on shallow pages, also after a cursor.
  EXPECT_EQ(ids(client_->Get("/content/locations?after=20&skip=1&limit=2"), "location_id"),
            (std::vector<long long>{22, 23}));
  EXPECT_EQ(client_->Get("/content/locations?skip=10000&limit=3").status, 200);
  for (const char* path : {"/content/locations?skip=10001", "/content/users?skip=3900000",
                           "/content/results?skip=3900000"}) {
    const Reply deep = client_->Get(path);
    ASSERT_EQ(deep.status, 422) << path;
    const nlohmann::json body = deep.json();
    const nlohmann::json& issue = body["detail"][0];
    EXPECT_EQ(issue["loc"], nlohmann::json::array({"query", "skip"}));
    EXPECT_EQ(issue["type"], "less_than_equal");
    EXPECT_NE(issue["msg"].get<std::string>().find("after="), std::string::npos) << issue;
  }
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  PlayInferenceWorker();
  const auto all = ids(client_->Get("/content/results?limit=1000"), "result_id");
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kLocations));
  const auto page = ids(client_->Get("/content/results?task_id=" + task_id +
                                     "&after=" + std::to_string(all[9]) + "&limit=5"),
                        "result_id");
  EXPECT_EQ(page, (std::vector<long long>(all.begin() + 10, all.begin() + 15)));
  const Reply user = client_->Get("/content/users?after=0");
  ASSERT_EQ(user.json().size(), 1u);
  EXPECT_TRUE(client_
                  ->Get("/content/users?after=" +
                        std::to_string(user.json()[0]["user_id"].get<long long>()))
                  .json()
                  .empty());
}

TEST_F(ApiServerTest, HealthReportsEachDependency) {
  EXPECT_EQ(client_->Get("/health/live").json(), nlohmann::json({{"status", "alive"}}));
  const Reply ready = client_->Get("/health/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json()["status"], "ready");
  EXPECT_EQ(ready.json()["checks"]["broker"], "ok");
  broker_->Close();
  const Reply down = client_->Get("/health/ready");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.json()["checks"]["broker"], "unavailable");
  EXPECT_EQ(down.json()["checks"]["store"], "ok");
}

TEST_F(ApiServerTest, ReadinessReportsAFallbackModelAndNoServableModel) {
  tasks::ModelsReadiness models{tasks::ModelsReadiness::State::kFallback, "serving baseline"};
  ApiConfig config = DefaultConfig();
  config.models_readiness = [&models] { return models; };
  StartServer(config);
  const Reply fallback = client_->Get("/health/ready");
  EXPECT_EQ(fallback.status, 200) << "a fallback serves: still ready";
  EXPECT_EQ(fallback.json()["checks"]["models"], "fallback");
  EXPECT_EQ(fallback.json()["warning"], "serving baseline");
  models = {tasks::ModelsReadiness::State::kUnavailable, "no worker can run inference"};
  const Reply down = client_->Get("/health/ready");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.json()["status"], "unavailable");
  EXPECT_EQ(down.json()["checks"]["models"], "unavailable");
  EXPECT_EQ(down.json()["detail"], "no worker can run inference");
  models = {};
  const Reply ok = client_->Get("/health/ready");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json()["checks"]["models"], "ok");
  EXPECT_FALSE(ok.json().contains("warning"));
}

TEST_F(ApiServerTest, BrokerDownAnswers503WithDetail) {
  broker_->Close();
  const Reply r = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(r.json()["detail"].is_string());
  EXPECT_NE(client_->Get("/metrics")
                .body.find("api_exception_total{app_name=\"api\","
                           "exception=\"unavailable\",method=\"POST\","
                           "path=\"/inference/start\"} 1"),
            std::string::npos);
}

TEST_F(ApiServerTest, DocsServeSwaggerUiAndOpenApi) {
  const Reply page = client_->Get("/docs");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  // The start-up script is a file of its own (the page's CSP allows no inline script).
  EXPECT_NE(page.body.find("/docs/swagger-init.js"), std::string::npos);
  EXPECT_NE(client_->Get("/docs/swagger-init.js").body.find("/openapi.json"), std::string::npos);
  const Reply bundle = client_->Get("/docs/swagger-ui-bundle.js");
  EXPECT_EQ(bundle.status, 200);
  EXPECT_GT(bundle.body.size(), 100000u);
  EXPECT_EQ(bundle.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(bundle.header("cache-control").find("max-age"), std::string::npos);
  EXPECT_EQ(client_->Get("/docs/swagger-ui.css").header("content-type"), "text/css; charset=utf-8");
  const Reply spec = client_->Get("/openapi.json");
  EXPECT_EQ(spec.json()["paths"].contains("/inference/start"), true);
}

TEST_F(ApiServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 50; ++i) ASSERT_EQ(client_->Get("/").status, 200);
  EXPECT_NE(client_->Get("/").header("connection"), "close");
}

TEST_F(ApiServerTest, StopLetsInFlightLongPollFinishAndClosesIdleConnections) {
  const Reply started = client_->Call(verb::post, "/inference/start", ValidUserData().dump());
  const auto task_id = started.json()["task_id"].get<std::string>();
  auto poll = std::async(std::launch::async, [&] {
    Client other(server_->port());
    return other.Get("/inference/status/" + task_id + "?wait=30");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server_->Stop();
  server_->Wait();  // idle keep-alive client_ and the poll must not hold this for 30 s
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const Reply r = poll.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "PENDING");
  EXPECT_EQ(r.header("connection"), "close");
  client_->recorded.clear();
}

}  // namespace
}  // namespace mlprod::api::testing

namespace mlprod::api::testing {
namespace {

// Not a test: keeps a server up for load generators (wrk). Run with
// --gtest_also_run_disabled_tests --gtest_filter=*ServeForLoad; MLPROD_LOAD_SECONDS (default 30).
TEST_F(ApiServerTest, DISABLED_ServeForLoad) {
  const char* seconds = std::getenv("MLPROD_LOAD_SECONDS");
  std::printf("serving on 127.0.0.1:%u\n", server_->port());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(seconds ? std::atoi(seconds) : 30));
  client_->recorded.clear();
}

}  // namespace
}  // namespace mlprod::api::testing
