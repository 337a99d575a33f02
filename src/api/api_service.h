// The mlprod REST API (SPEC §3): every route's handler, registered into a Router. Handlers
// parse, call the store/broker/backend, and serialise; errors go through errors.h's table.
// Not the HTTP transport (http_server.h). Thread-safe: handlers run concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/dashboard_history.h"
#include "api/router.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "metrics/api_metrics.h"
#include "metrics/exposition.h"
#include "queue/broker.h"
#include "queue/result_backend.h"
#include "queue/task_names.h"
#include "store/store.h"
#include "tasks/model_folders.h"
#include "usecases/inference_cases.h"
#include "usecases/training_cases.h"

namespace mlprod::api {

// What GET /health/ready reports about the models inference needs (check "models").
using ModelsReadiness = tasks::ModelsReadiness;
using ModelsReadinessCheck = std::function<ModelsReadiness()>;

struct ApiDeps {
  store::Store& store;
  queue::Broker& broker;
  queue::ResultBackend& backend;
  metrics::ApiMetrics* metrics = nullptr;           // nullable
  const metrics::Exposition* exposition = nullptr;  // nullable: GET /metrics then answers 404
  // Empty = open API. Otherwise training, model-changing routes and the reads of other
  // people's data (ReadAuthorized) need `Bearer <key>` (docs/security.md, "Access model").
  std::string api_key;
  // Optional second key that grants those reads only, never a state change. Empty = none.
  std::string read_key;
  // Nullable: GET /dashboard/data then answers an empty history.
  const dashboard::History* dashboard = nullptr;
  // Backpressure: POST /inference/start answers 503 with Retry-After, writing nothing, while
  // the broker's queue holds at least this many tasks. 0 = never.
  long long max_queue = 0;
  // Empty: the readiness has no "models" check. Runs on a blocking thread per probe.
  ModelsReadinessCheck models_readiness{};
  // What relative model paths of the store are relative to (PUT /models/{id} loads the folder).
  std::filesystem::path data_dir{};
  // The names inference and training tasks are published under (--task-names). Default: mlprod's
  queue::PublishedTaskNames task_names{};
  // Time of the backpressure recheck and the tracker's ages; app/ passes its clock.
  const mlprod::Clock* clock = &SystemClock();
};

// True when `authorization` is `Bearer <key>` with the scheme in any letter case (RFC 9110
// §11.1) and `key` non-empty. The comparison's time depends only on key's length.
bool BearerTokenMatches(std::string_view authorization, std::string_view key);

class ApiService {
 public:
  explicit ApiService(ApiDeps deps);
  void Register(Router& router);

  // The Authorization header carries the full key (or no key is configured): training and
  // model changes. Constant time in the header's content.
  bool Authorized(const Request& request) const;
  // The full key or the read key (or neither is configured): reads of other people's data
  // (users, results lists).
  bool ReadAuthorized(const Request& request) const;

 private:
  // Route groups, one file each.
  void RegisterMeta(Router& router);       // handlers_meta.cpp: /, health, metrics, docs
  void RegisterInference(Router& router);  // handlers_inference.cpp
  void RegisterTraining(Router& router);   // handlers_models.cpp: /train, /models
  void RegisterContent(Router& router);    // handlers_content.cpp
  void RegisterDashboard(Router& router);  // handlers_dashboard.cpp: /dashboard, its data

  struct StatusLookup {
    Response response;
    bool ready = false;
    std::string state;  // the backend's state name; empty when the lookup failed
    // The store's row is known to have `state` already: nothing for on_answer to write.
    bool recorded = false;
    // The store's row was not read (RowRead::kDeferrable): the task's existence and the row's
    // fallback are still to check, and `response` is not an answer to send.
    bool deferred = false;
  };
  using RowRead = usecases::RowRead;
  using Lookup = std::function<StatusLookup(const std::string& task_id, RowRead read)>;
  // Backend state of an inference task, with the store's row for existence (skipped when known
  // and the backend has a final state) and as the fallback when the backend forgot the task.
  // An inference this API started (the tracker's window) needs no row read for a final state,
  // and with kDeferrable none while it runs: the long poll reads the row only if the result does
  // not come within half a second. On the loop's hot path no status answer reads the row.
  StatusLookup LookupInferenceStatus(const std::string& task_id, RowRead read);
  StatusLookup LookupTrainingStatus(const std::string& task_id);
  // Runs after a status answer that the row has not recorded yet, off the response's path
  // (blocking pool), with its state name.
  using OnAnswer = std::function<void(const std::string& task_id, const std::string& state)>;
  // GET /<kind>/status/{task_id}[?wait=S]: answers at once, or long-polls until the task is
  // ready or S seconds passed. `on_answer` (may be empty) is queued once the answer is known.
  boost::asio::awaitable<Response> StatusWithWait(const Request& request, Lookup lookup,
                                                  OnAnswer on_answer);
  // Exports a select/reject answer when the store counted it (the task's first answer):
  // api_inference_feedback_total and the per-model families; a repeat exports nothing.
  void RecordFeedback(const store::FeedbackOutcome& outcome);

  ApiDeps deps_;
  // The use cases the inference and training routes call (src/usecases/).
  usecases::InferenceCases inference_;
  usecases::TrainingCases training_;
};

}  // namespace mlprod::api
