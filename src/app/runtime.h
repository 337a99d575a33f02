// What a process talks to, chosen from the reference's environment variables (SPEC §2):
// DATABASE_URL (unset: SQLite file under the data dir), CELERY_BROKER_URL (unset: in-process
// queue), CELERY_BACKEND_URL (unset: in-memory backend), CELERY_QUEUE (empty: "celery"), plus
// mlprod's own MLPROD_* settings.
// Part of the composition root; not thread-safe (build once at start).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/env.h"
#include "common/result.h"
#include "queue/broker.h"
#include "queue/result_backend.h"
#include "queue/task_names.h"
#include "store/sql/open_store.h"
#include "store/store.h"

namespace mlprod::app {

struct RuntimeConfig {
  std::string database_url;  // empty: sqlite under data_dir
  std::string broker_url;    // empty: in-process queue
  std::string backend_url;   // empty: in-memory result backend
  std::string queue = "celery";
  std::string api_key;          // MLPROD_API_KEY; empty = open API
  std::string allowed_hosts;    // MLPROD_ALLOWED_HOSTS; empty = by bind address
  std::string cors_origins;     // MLPROD_CORS_ORIGINS; empty = no CORS
  std::string read_key;         // MLPROD_READ_KEY: reads of users and results only; empty = none
  int result_expires_s = 3600;  // CELERY_RESULT_EXPIRES; Default: 3600
  // MLPROD_AUTO_RETRAIN (on|off): off turns automatic retraining off whatever --auto-retrain
  // says. Default: on
  bool auto_retrain = true;
  // MLPROD_TASK_NAMES (mlprod|reference|reference-2022), or --task-names: the names tasks are
  // published under. Default: mlprod
  queue::PublishedTaskNames task_names;
  int keep_results = 10;    // --keep-results: result rows stored per inference, 0 = all
  int retention_days = 30;  // --retention-days: history kept by the retention job, 0 = all
  std::filesystem::path data_dir;

  bool distributed() const { return !broker_url.empty(); }
};

// Reads the variables above from env. Bad values (unknown URL schemes) are errors naming the
// variable.
Result<RuntimeConfig> LoadRuntimeConfig(const Environment& env, std::filesystem::path data_dir);

struct Runtime {
  // The process's one source of time (common/clock.h): the commands hand it to every component
  // that decides by time.
  const Clock* clock = &SystemClock();
  std::unique_ptr<store::Store> store;
  std::unique_ptr<queue::Broker> broker;
  std::unique_ptr<queue::ResultBackend> backend;
};

// Opens the store, broker and backend the config names. Network connections open lazily, so
// an unreachable service shows up in readiness and in the first call, not here.
// store_connections: the store's connection pool size, one per thread that uses the store at
// once (WaitForRuntime opens them all). Default: the store's (8, as many as the API's blocking
// threads).
Result<Runtime> OpenRuntime(const RuntimeConfig& config,
                            int store_connections = store::StoreOptions{}.pool_size);

// A URL with its password replaced by "***", for logs.
std::string RedactUrl(const std::string& url);

// Blocks SIGINT and SIGTERM in this thread (call before starting any thread) and returns a
// function that waits for one of them and returns its number.
std::function<int()> BlockStopSignals();

}  // namespace mlprod::app
