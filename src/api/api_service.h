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

// Which started inferences the API has not yet seen ready: backs api_active_inferences. An
// inference nobody polled for `forget_after` stops counting (clients that start and walk away
// would otherwise hold the gauge up forever); beyond kMaxTracked everything is forgotten.
class InferenceTracker {
 public:
  using Clock = std::chrono::steady_clock;
  // forget_after default: 60 s (twice the longest long poll).
  explicit InferenceTracker(metrics::ApiMetrics* metrics,
                            Clock::duration forget_after = std::chrono::seconds(60))
      : metrics_(metrics), forget_after_(forget_after) {}
  void Started(const std::string& task_id, Clock::time_point now);
  void SeenReady(const std::string& task_id);
  // Started here and not seen ready yet (nor forgotten): its inference row exists.
  bool Pending(const std::string& task_id) const;
  std::size_t active() const;

  static constexpr std::size_t kMaxTracked = 100000;

 private:
  void Forget(std::size_t count) MLPROD_REQUIRES(mu_);
  metrics::ApiMetrics* metrics_;
  Clock::duration forget_after_;
  mutable Mutex mu_;
  // Task id -> started.
  std::unordered_map<std::string, Clock::time_point> pending_ MLPROD_GUARDED_BY(mu_);
  Clock::time_point last_sweep_ MLPROD_GUARDED_BY(mu_){};
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
  enum class RowRead {
    kAlways,      // read the store's row
    kDeferrable,  // the first lookup of a long poll: see LookupInferenceStatus
    kKnown,       // an earlier lookup of this request already found the task
  };
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
  // A new task named `task_name` (one of deps_.task_names) from this process.
  queue::TaskMessage NewTask(std::string_view task_name) const;
  // True when the queue is at max_queue. The broker's depth is asked at most every 100 ms (a
  // passive queue.declare round trip on RabbitMQ), so a burst overshoots by at most what
  // arrives in that time.
  bool QueueFull();
  // Exports a select/reject answer when the store counted it (the task's first answer):
  // api_inference_feedback_total and the per-model families; a repeat exports nothing.
  void RecordFeedback(const store::FeedbackOutcome& outcome);
  // 200 with the model, its live feedback and its transitions, or the store's error.
  Response ModelAnswer(const store::ModelRow& model);

  ApiDeps deps_;
  std::string origin_;  // "<pid>@<host>" for task messages
  InferenceTracker tracker_;
  std::atomic<long long> queue_depth_{0};
  std::atomic<std::int64_t> depth_checked_ns_{0};  // steady clock; 0 = never
  // Serialises POST /train/start's "is one queued or running? else queue one" in this process.
  Mutex train_start_mu_;
};

}  // namespace mlprod::api
