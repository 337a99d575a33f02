// The API process's server as the composition root builds it: metrics families, routes and the
// HTTP transport wired over a store, a broker and a result backend (SPEC §3, §8).
// Not the wiring itself (app/ decides what to pass in). Start/Stop/Wait/port: any thread.
#pragma once

#include <prometheus/registry.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "api/api_service.h"
#include "api/dashboard_history.h"
#include "api/http_server.h"
#include "api/router.h"
#include "metrics/api_metrics.h"
#include "metrics/exposition.h"

namespace mlprod::api {

struct ApiConfig {
  ServerOptions server;          // listen address, threads, limits, deadlines
  std::string api_key;           // Default: empty = open API (MLPROD_API_KEY)
  std::string read_key;          // Default: empty = no read-only key (MLPROD_READ_KEY)
  std::string app_name = "api";  // Default: "api", the `app_name` metrics label
  bool process_metrics = true;   // Default: on, the process_* families in /metrics
  // Default: on — sample the registry for GET /dashboard while the server runs.
  bool dashboard = true;
  dashboard::HistoryOptions dashboard_history;  // Default: a point every 2 s, the last hour
  // Default: 0 = no backpressure. See ApiDeps::max_queue (--max-queue).
  long long max_queue = 0;
  // Default: none. See ApiDeps::models_readiness (serve: the pool's fallback warning; api: the
  // active models' folders).
  ModelsReadinessCheck models_readiness;
  std::filesystem::path data_dir;  // Default: empty. See ApiDeps::data_dir
  // Default: the mlprod names. See ApiDeps::task_names (--task-names, MLPROD_TASK_NAMES).
  queue::PublishedTaskNames task_names;
  // The API's and its dashboard's time (ApiDeps::clock). Default: the system clock
  const Clock* clock = &SystemClock();
};

class ApiServer {
 public:
  // store, broker, backend must outlive the server. registry is shared with the rest of the
  // process: every family registered in it appears in GET /metrics.
  ApiServer(store::Store& store, queue::Broker& broker, queue::ResultBackend& backend,
            std::shared_ptr<prometheus::Registry> registry, ApiConfig config);

  // Binds and starts serving (and the dashboard sampler); error when the address cannot be
  // bound.
  Status Start();
  // Start, then block until Stop() (from another thread or a signal handler's thread).
  Status Run();
  void Stop();
  void Wait() { server_.Wait(); }
  std::uint16_t port() const { return server_.port(); }

  metrics::ApiMetrics& metrics() { return metrics_; }
  const Router& router() const { return router_; }

 private:
  metrics::ApiMetrics metrics_;
  metrics::Exposition exposition_;
  std::unique_ptr<dashboard::History> dashboard_;  // null when ApiConfig::dashboard is off
  ApiService service_;
  Router router_;
  HttpServer server_;  // last: stopped and destroyed first
};

}  // namespace mlprod::api
