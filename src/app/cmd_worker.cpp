// `mlprod worker`: a task worker consuming Celery protocol v2 messages from the broker of the
// environment (any number of them, on any machines), recording results in the Redis result
// backend and rows in the database. Serves its own /metrics on --metrics-port.
// Unless --sweep-after 0, also runs the sweeper (tasks/sweeper.h) when it holds its lease.
// SIGINT/SIGTERM: stop taking messages, finish the running tasks, exit 0.
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "api/http_server.h"
#include "api/router.h"
#include "app/commands.h"
#include "app/process_flags.h"
#include "app/task_set.h"
#include "metrics/exposition.h"
#include "metrics/retention_metrics.h"
#include "metrics/worker_metrics.h"
#include "tasks/drift_reporter.h"
#include "tasks/queue_training.h"
#include "tasks/retention_job.h"
#include "tasks/sweeper.h"
#include "worker/worker.h"

namespace mlprod::app {
namespace {

struct WorkerFlags {
  ProcessFlags process;
  int concurrency = 2;
  int training_threads = 1;
  std::string queue;
  std::string metrics_host = "0.0.0.0";
  int metrics_port = 9808;
  drift::DriftOptions drift;
  LearningFlags learning;
  int sweep_after_s = 60;  // 0: no sweeper
};

// A sweep at least every 15 s and twice per sweep_after; the lease outlives three missed sweeps.
std::unique_ptr<tasks::Sweeper> StartSweeper(store::Store& store, queue::Broker& broker,
                                             queue::ResultBackend& backend,
                                             metrics::WorkerMetrics& metrics, int sweep_after_s,
                                             const queue::PublishedTaskNames& names,
                                             const Clock& clock) {
  if (sweep_after_s <= 0) return nullptr;
  const std::chrono::milliseconds after = std::chrono::seconds(sweep_after_s);
  const auto interval = std::clamp<std::chrono::milliseconds>(after / 2, std::chrono::seconds(1),
                                                              std::chrono::seconds(15));
  tasks::SweeperOptions options;
  options.sweep_after = after;
  options.task_names = names;
  options.backend = &backend;
  options.clock = &clock;
  options.lease_ttl = std::max<std::chrono::milliseconds>(3 * interval, std::chrono::seconds(10));
  auto sweeper = std::make_unique<tasks::Sweeper>(
      store, broker, std::move(options), [&metrics](long long n) { metrics.TasksRepublished(n); });
  sweeper->Start(interval);
  return sweeper;
}

int RunWorker(const WorkerFlags& f) {
  const std::string command = "worker";
  auto wait_for_stop = BlockStopSignals();
  auto config = StartProcess(command, f.process);
  if (!config.ok()) return Fail(command, "configuration", config.error());
  if (!config->distributed()) {
    return Fail(command, "configuration",
                Error{ErrorCode::kInvalidArgument,
                      "`mlprod worker` needs CELERY_BROKER_URL and CELERY_BACKEND_URL; "
                      "`mlprod serve` runs workers in-process without them"});
  }
  if (!f.queue.empty()) config->queue = f.queue;
  // One connection per task thread (training lane included), one each for the model refresh,
  // the drift reports, the sweeper and data retention.
  auto rt = OpenRuntime(*config, f.concurrency + f.training_threads + 3);
  if (!rt.ok()) return Fail(command, "configuration", rt.error());
  const auto timeout = std::chrono::seconds(f.process.startup_timeout_s);
  if (auto st = WaitForRuntime(*rt, *config, timeout); !st.ok()) {
    return Fail(command, "dependencies", st.error());
  }
  auto registry = std::make_shared<prometheus::Registry>();
  metrics::WorkerMetrics worker_metrics(*registry);
  drift::DriftMonitor drift(*registry, f.drift);
  tasks::TrainingOptions training =
      MakeTrainingOptions(config->data_dir, f.process.seed, f.learning);
  training.clock = rt->clock;
  TaskSet tasks(*rt->store, std::move(training), &worker_metrics, &drift);
  // The API bootstraps the schema (adopting a reference database), the locations and the
  // baseline; wait for it. A worker never migrates: it would run its own version's migrations
  // under an API of another version.
  if (auto st = WaitFor(
          "mlprod's schema in the database", [&] { return rt->store->CheckSchema(); }, timeout);
      !st.ok()) {
    return Fail(command, "checking the database schema", st.error());
  }
  if (auto st = WaitFor(
          "an active model in the store", [&] { return tasks.models().Refresh(); }, timeout);
      !st.ok()) {
    return Fail(command, "loading the active models", st.error());
  }

  worker::WorkerOptions options;
  options.threads = f.concurrency;
  // Trainings on their own lane: queued ones never hold the threads inferences need.
  options.lane_tasks = {std::string(queue::kTrainingTask)};
  options.lane_threads = f.training_threads;
  options.clock = rt->clock;
  worker::Worker worker(*rt->broker, *rt->backend, tasks.registry(), options, tasks.observer());
  // The API processes have no drift monitor: their retraining trigger reads these reports.
  tasks::DriftReporter drift_reporter(*rt->store, drift, "worker " + tasks::ProcessOrigin(),
                                      f.drift.window, *rt->clock);
  drift_reporter.Start(std::chrono::seconds(5));
  // Data retention: the store lease "retention" lets one process of those sharing the database
  // act (API processes run the job too).
  metrics::RetentionMetrics retention_metrics(*registry);
  std::optional<tasks::RetentionJob> retention;
  if (config->retention_days > 0) {
    tasks::RetentionJobOptions retention_options;
    retention_options.retention_days = config->retention_days;
    retention_options.clock = rt->clock;
    retention.emplace(*rt->store, retention_options,
                      [&retention_metrics](const store::RetentionCounts& c) {
                        retention_metrics.Add(c.inferences, c.results, c.users, c.events);
                      });
    retention->Start(std::chrono::seconds(60));
  }

  metrics::Exposition exposition(registry);
  api::Router router;
  router.Add(api::Verb::get, "/metrics", [&](const api::Request&) {
    const worker::WorkerStats stats = worker.Stats();
    worker_metrics.SetBrokerState(rt->broker->Reconnects(),
                                  stats.in_flight + stats.delayed + stats.lane_waiting);
    api::Response r;
    r.body = exposition.Render();
    r.content_type = metrics::Exposition::kContentType;
    return r;
  });
  router.Add(api::Verb::get, "/health/live", [](const api::Request&) {
    api::Response r;
    r.static_body = R"({"status":"live"})";
    return r;
  });
  api::ServerOptions http;
  http.host = f.metrics_host;
  http.port = static_cast<std::uint16_t>(f.metrics_port);
  http.io_threads = 1;
  http.blocking_threads = 1;
  api::HttpServer metrics_server(http, router, nullptr);

  worker.Start();
  if (auto st = metrics_server.Start(); !st.ok()) {
    worker.Stop();
    return Fail(command, "starting the metrics server on port " + std::to_string(f.metrics_port),
                st.error());
  }
  auto sweeper = StartSweeper(*rt->store, *rt->broker, *rt->backend, worker_metrics,
                              f.sweep_after_s, config->task_names, *rt->clock);
  spdlog::info(
      "mlprod worker: {} threads (+{} for trainings) on queue '{}', metrics on "
      "http://{}:{}/metrics, sweeper {}",
      f.concurrency, f.training_threads, config->queue, f.metrics_host, metrics_server.port(),
      f.sweep_after_s > 0 ? "after " + std::to_string(f.sweep_after_s) + " s" : "off");

  const int sig = wait_for_stop();
  spdlog::info("signal {}: finishing running tasks", sig);
  sweeper.reset();
  retention.reset();
  worker.Stop();
  rt->broker->Close();
  metrics_server.Stop();
  metrics_server.Wait();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

void AddWorkerCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<WorkerFlags>();
  auto* sub = root.add_subcommand(
      "worker",
      "Run a task worker: consume inference and training tasks (Celery protocol v2) from the "
      "AMQP broker, store results in the Redis result backend and rows in the database. "
      "Environment (and the --env-file, .env by default): CELERY_BROKER_URL, CELERY_BACKEND_URL, "
      "CELERY_QUEUE, DATABASE_URL, CELERY_RESULT_EXPIRES, MLPROD_TASK_NAMES (see --task-names). "
      "Accepts the task names of every --task-names preset. Never migrates the database: "
      "waits up to --startup-timeout for `mlprod api` to create, migrate or adopt the schema "
      "and register an active model.");
  sub->add_option("--concurrency", flags->concurrency,
                  "Tasks run at the same time (threads; each keeps one database connection)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_option("--training-threads", flags->training_threads,
                  "Threads that run training tasks, besides --concurrency (trainings run only "
                  "there, so queued ones never hold the inference threads)")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  sub->add_option("--queue", flags->queue, "Queue to consume [default: CELERY_QUEUE, else celery]");
  sub->add_option("--metrics-host", flags->metrics_host, "Address of the /metrics endpoint")
      ->capture_default_str();
  sub->add_option("--metrics-port", flags->metrics_port, "Port of the /metrics endpoint (0: any)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_option("--sweep-after", flags->sweep_after_s,
                  "Seconds an accepted inference may stay PENDING or STARTED before the sweeper "
                  "publishes it again, or records the state the result backend holds for it when "
                  "that is finished (one worker of those sharing the database sweeps, only "
                  "while the queue is nearly empty; 0: no sweeper)")
      ->check(CLI::Range(0, 7 * 24 * 3600))
      ->capture_default_str();
  AddProcessFlags(*sub, flags->process);
  AddDriftFlags(*sub, flags->drift);
  AddLearningFlags(*sub, flags->learning);
  AddKeepResultsFlag(*sub, flags->process);
  AddRetentionFlag(*sub, flags->process);
  AddTaskNamesFlag(*sub, flags->process);
  sub->callback([flags, &run] { run = [flags] { return RunWorker(*flags); }; });
}

}  // namespace mlprod::app
