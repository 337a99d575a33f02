// `mlprod serve` and `mlprod api`. serve runs everything in one process (SPEC §2): the HTTP API
// plus worker threads, on embedded defaults (SQLite store under --data-dir, in-process queue,
// in-memory result backend) unless the environment names real services. api runs the HTTP API
// alone against the broker/backend/database of the environment; `mlprod worker` processes run
// the tasks. Both bootstrap on first start (data set, baseline model, schema, locations).
// SIGINT/SIGTERM drain in-flight requests and tasks, then exit 0.
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>
#include <thread>

#include "api/api_server.h"
#include "api/http_policy.h"
#include "app/bootstrap.h"
#include "app/commands.h"
#include "app/process_flags.h"
#include "app/task_set.h"
#include "common/time_util.h"
#include "data/profiles.h"
#include "metrics/retention_metrics.h"
#include "metrics/worker_metrics.h"
#include "tasks/canary_judge.h"
#include "tasks/drift_reporter.h"
#include "tasks/model_folders.h"
#include "tasks/queue_training.h"
#include "tasks/recovery.h"
#include "tasks/retention_job.h"
#include "tasks/retrain_trigger.h"
#include "worker/worker.h"

namespace mlprod::app {
namespace {

// Automatic retraining (tasks/retrain_trigger.h); durations as ParseDuration reads them.
struct RetrainFlags {
  std::string enabled = "on";
  std::int64_t labels = tasks::RetrainOptions{}.labels;
  std::string every = "24h";
  double drift_psi = tasks::RetrainOptions{}.drift_psi;
  std::string min_gap = "10m";

  tasks::RetrainOptions Options() const {
    tasks::RetrainOptions o;
    o.labels = labels;
    o.every = *ParseDuration(every);  // validated by the flag's check
    o.drift_psi = drift_psi;
    o.min_gap = *ParseDuration(min_gap);
    return o;
  }
};

// How often the trigger owner checks, and how often inference processes report their drift.
constexpr auto kRetrainCheckInterval = std::chrono::seconds(5);
constexpr auto kDriftReportInterval = std::chrono::seconds(5);
// How often the retention lease holder deletes expired history.
constexpr auto kRetentionInterval = std::chrono::seconds(60);

struct ServeFlags {
  ProcessFlags process;
  std::string host = "127.0.0.1";
  int port = 4789;
  int workers = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  int training_threads = 1;
  int io_threads = 2;
  std::string allowed_hosts;      // empty: MLPROD_ALLOWED_HOSTS, else by bind address
  std::string cors_origins;       // empty: MLPROD_CORS_ORIGINS, else none
  long long max_connections = 0;  // 0: derived from the fd limit
  long long max_queue = 10000;
  drift::DriftOptions drift;
  LearningFlags learning;
  tasks::CanaryRuleOptions canary;
  RetrainFlags retrain;
};

int RunServer(const std::string& command, const ServeFlags& f, bool with_workers) {
  auto wait_for_stop = BlockStopSignals();  // before any thread starts
  auto config = StartProcess(command, f.process);
  if (!config.ok()) return Fail(command, "configuration", config.error());
  if (!with_workers && !config->distributed()) {
    return Fail(command, "configuration",
                Error{ErrorCode::kInvalidArgument,
                      "`mlprod api` needs CELERY_BROKER_URL and CELERY_BACKEND_URL (workers run "
                      "in other processes); use `mlprod serve` for the all-in-one mode"});
  }
  auto rt = OpenRuntime(*config);
  if (!rt.ok()) return Fail(command, "configuration", rt.error());
  const auto timeout = std::chrono::seconds(f.process.startup_timeout_s);
  if (auto st = WaitForRuntime(*rt, *config, timeout); !st.ok()) {
    return Fail(command, "dependencies", st.error());
  }

  const BootstrapOptions boot = MakeBootstrapOptions(config->data_dir, f.process);
  if (auto st = Bootstrap(*rt->store, boot); !st.ok()) {
    return Fail(command, "first-start preparation", st.error());
  }

  auto registry = std::make_shared<prometheus::Registry>();
  std::optional<metrics::WorkerMetrics> worker_metrics;
  std::optional<drift::DriftMonitor> drift;
  std::optional<TaskSet> tasks;
  std::optional<worker::Worker> worker;
  std::optional<tasks::DriftReporter> drift_reporter;
  if (with_workers) {
    worker_metrics.emplace(*registry);
    drift.emplace(*registry, f.drift);
    tasks::TrainingOptions training =
        MakeTrainingOptions(config->data_dir, f.process.seed, f.learning);
    training.clock = rt->clock;
    tasks.emplace(*rt->store, std::move(training), &*worker_metrics, &*drift);
    if (auto st = tasks->models().Refresh(); !st.ok()) {
      return Fail(command, "loading the active models", st.error());
    }
    // The in-process queue died with the last process: the store says what it had accepted.
    if (!config->distributed()) {
      auto recovered = tasks::RecoverUnfinishedTasks(*rt->store, *rt->broker,
                                                     tasks::ProcessOrigin(), config->task_names);
      if (!recovered.ok()) return Fail(command, "queueing unfinished tasks", recovered.error());
    }
    worker::WorkerOptions options;
    options.threads = f.workers;
    // Trainings on their own lane: queued ones never hold the threads inferences need.
    options.lane_tasks = {std::string(queue::kTrainingTask)};
    options.lane_threads = f.training_threads;
    options.clock = rt->clock;
    worker.emplace(*rt->broker, *rt->backend, tasks->registry(), options, tasks->observer());
    drift_reporter.emplace(*rt->store, *drift, "serve " + tasks::ProcessOrigin(), f.drift.window,
                           *rt->clock);
    drift_reporter->Start(kDriftReportInterval);
  }

  api::ApiConfig api_config;
  api_config.server.host = f.host;
  api_config.server.port = static_cast<std::uint16_t>(f.port);
  api_config.server.io_threads = f.io_threads;
  api_config.server.allowed_hosts =
      f.allowed_hosts.empty() ? config->allowed_hosts : f.allowed_hosts;
  api_config.server.cors_origins = f.cors_origins.empty() ? config->cors_origins : f.cors_origins;
  // Idle sockets must meet the connection cap, not the fd limit (where accept fails for all).
  const std::uint64_t fd_limit = api::RaiseOpenFileLimit();
  api_config.server.max_connections = f.max_connections > 0
                                          ? static_cast<std::size_t>(f.max_connections)
                                          : api::DefaultMaxConnections(fd_limit);
  spdlog::info("mlprod {}: open-file limit {}, at most {} connections", command, fd_limit,
               api_config.server.max_connections);
  api_config.api_key = config->api_key;
  api_config.read_key = config->read_key;
  api_config.max_queue = f.max_queue;
  api_config.data_dir = config->data_dir;
  api_config.task_names = config->task_names;
  api_config.clock = rt->clock;
  // /health/ready's "models": serve's own pool says whether a fallback serves; `mlprod api`
  // judges from the folders whether any worker can run inference.
  if (tasks) {
    api_config.models_readiness = [&tasks] {
      const std::string warning = tasks->models().Warning();
      using S = tasks::ModelsReadiness::State;
      return tasks::ModelsReadiness{warning.empty() ? S::kOk : S::kFallback, warning};
    };
  } else {
    api_config.models_readiness = [store = rt->store.get(), dir = config->data_dir] {
      return tasks::JudgeModelFolders(*store, dir);
    };
  }
  api::ApiServer server(*rt->store, *rt->broker, *rt->backend, registry, api_config);
  if (config->api_key.empty()) {
    spdlog::warn(config->read_key.empty()
                     ? "MLPROD_API_KEY is not set: training, model routes and the users' data "
                       "(/content/users, /content/results) are open to anyone"
                     : "MLPROD_API_KEY is not set: training and model routes are open to anyone "
                       "(MLPROD_READ_KEY guards only the reads of users and results)");
  }
  // Every API process judges canaries; the store's compare-and-set lets one of them act.
  tasks::CanaryJudge judge(*rt->store, f.canary, [&tasks] {
    if (!tasks) return;  // `mlprod api`: the workers see the decision at their next refresh
    if (auto st = tasks->models().Refresh(); !st.ok()) {
      spdlog::warn("refreshing the models after a canary decision: {}", st.error().message);
    }
  });
  judge.Start(std::chrono::seconds(1));
  // Every API process runs a trigger; the store lease lets exactly one of them act.
  std::optional<tasks::RetrainTrigger> trigger;
  if (f.retrain.enabled == "on" && config->auto_retrain) {
    tasks::RetrainTriggerOptions options;
    options.rule = f.retrain.Options();
    options.task_names = config->task_names;
    options.clock = rt->clock;
    trigger.emplace(*rt->store, *rt->broker, options, [&server](const tasks::RetrainRecord& r) {
      server.metrics().RecordRetrainTrigger(tasks::RetrainTriggerName(r.decision.trigger));
    });
    trigger->Start(kRetrainCheckInterval);
    spdlog::info(
        "automatic retraining on: {} new labels, every {} s, drift PSI {}, min gap {} s (0 = "
        "off)",
        options.rule.labels, options.rule.every.count(), options.rule.drift_psi,
        options.rule.min_gap.count());
  } else {
    spdlog::info("automatic retraining off ({})",
                 config->auto_retrain ? "--auto-retrain off" : "MLPROD_AUTO_RETRAIN=off");
  }
  // Every process runs the job; the store lease "retention" lets one of them act.
  metrics::RetentionMetrics retention_metrics(*registry);
  std::optional<tasks::RetentionJob> retention;
  if (config->retention_days > 0) {
    tasks::RetentionJobOptions options;
    options.retention_days = config->retention_days;
    options.clock = rt->clock;
    retention.emplace(*rt->store, options, [&retention_metrics](const store::RetentionCounts& c) {
      retention_metrics.Add(c.inferences, c.results, c.users, c.events);
    });
    retention->Start(kRetentionInterval);
    spdlog::info("data retention: unanswered history older than {} days is deleted",
                 config->retention_days);
  } else {
    spdlog::info("data retention off (--retention-days 0): history is kept");
  }
  if (worker) worker->Start();
  if (auto st = server.Start(); !st.ok()) {
    if (worker) worker->Stop();
    return Fail(command, "starting the HTTP server on " + f.host + ":" + std::to_string(f.port),
                st.error());
  }
  spdlog::info("mlprod {}: listening on http://{}:{} (docs at /docs){}", command, f.host,
               server.port(),
               with_workers ? ", " + std::to_string(f.workers) + " worker threads" : "");
  std::cout << "listening on http://" << f.host << ":" << server.port() << std::endl;

  const int sig = wait_for_stop();
  spdlog::info("signal {}: draining in-flight requests and tasks", sig);
  trigger.reset();
  retention.reset();
  server.Stop();
  server.Wait();
  if (worker) worker->Stop();
  rt->broker->Close();
  spdlog::info("stopped cleanly");
  return 0;
}

void AddServerFlags(CLI::App& sub, ServeFlags& f) {
  sub.add_option("--host", f.host, "Address to listen on")->capture_default_str();
  sub.add_option("--port", f.port, "TCP port (0 picks a free one and prints it)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub.add_option("--io-threads", f.io_threads, "HTTP I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sub.add_option("--allowed-hosts", f.allowed_hosts,
                 "Host header names served, comma list, ports ignored ('*' = any; others get "
                 "421, against DNS rebinding); env MLPROD_ALLOWED_HOSTS [default: localhost, "
                 "127.0.0.1, [::1] when --host is a loopback address, else any]");
  sub.add_option("--cors-origins", f.cors_origins,
                 "Origins (scheme://host[:port], comma list, '*' = any) that may call the API "
                 "from another site: they get CORS headers and preflight answers; env "
                 "MLPROD_CORS_ORIGINS [default: none; POST/PUT/PATCH/DELETE with another Origin "
                 "than the Host get 403]");
  sub.add_option("--max-connections", f.max_connections,
                 "Open HTTP connections at most; more get a 503 and are closed (the soft "
                 "open-file limit is raised to the hard one at start) [default: 0 = the fd "
                 "limit minus 128, at most 10000]")
      ->check(CLI::Range(0LL, 1000000LL));
  AddProcessFlags(sub, f.process);
  AddRetentionFlag(sub, f.process);
  AddTaskNamesFlag(sub, f.process);
  sub.add_option("--max-queue", f.max_queue,
                 "Backpressure: while this many tasks wait in the queue (in-process, or the "
                 "RabbitMQ queue), POST /inference/start answers 503 with Retry-After and writes "
                 "nothing (api_inference_refused_total, api_queue_depth); 0 = never refuse")
      ->check(CLI::Range(0LL, 100000000LL))
      ->capture_default_str();
  sub.add_option("--canary-alpha", f.canary.alpha,
                 "Canary decisions: the sequential test's error level (chance of promoting or "
                 "rolling back a canary that is as good as the current model)")
      ->check(CLI::Range(1e-6, 0.5))
      ->capture_default_str();
  sub.add_option("--canary-max-lists", f.canary.max_decisive,
                 "Canary decisions: interleaved lists with a pick after which an undecided "
                 "canary is rolled back (the current model stays)")
      ->check(CLI::Range(10, 100000000))
      ->capture_default_str();
  const CLI::Validator duration(
      [](std::string& s) {
        auto d = ParseDuration(s);
        return d.ok() ? std::string() : d.error().message;
      },
      "DURATION");
  RetrainFlags& r = f.retrain;
  sub.add_option("--auto-retrain", r.enabled,
                 "Retraining that runs itself: queue a training run on new labels, on a "
                 "schedule or on input drift (one API process of those sharing a database "
                 "acts); MLPROD_AUTO_RETRAIN=off also turns it off")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  sub.add_option("--retrain-labels", r.labels,
                 "Automatic retraining: answered lists (picks and no picks) since the last "
                 "training run that queue a new one; 0 = off")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000'000}))
      ->capture_default_str();
  sub.add_option("--retrain-every", r.every,
                 "Automatic retraining: time since the last training run that queues a new "
                 "one (e.g. 90s, 30m, 24h, 7d); 0 = off")
      ->check(duration)
      ->capture_default_str();
  sub.add_option("--retrain-drift-psi", r.drift_psi,
                 "Automatic retraining: largest input drift PSI over the features, on a full "
                 "--drift-window reported in the last minute, that queues a run; 0 = off")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  sub.add_option("--retrain-min-gap", r.min_gap,
                 "Automatic retraining: no trigger sooner than this after the last training run "
                 "was queued (whatever its outcome), and never while one is in flight")
      ->check(duration)
      ->capture_default_str();
}

constexpr const char* kEnvHelp =
    " Environment (and the --env-file, .env in the working directory by default): DATABASE_URL, "
    "CELERY_BROKER_URL, "
    "CELERY_BACKEND_URL, CELERY_QUEUE, CELERY_RESULT_EXPIRES, MLPROD_API_KEY (when set, "
    "training, model routes and the reads of users and results need 'Authorization: Bearer "
    "<key>'), MLPROD_READ_KEY (a second key for those reads only), MLPROD_AUTO_RETRAIN (off: "
    "no automatic retraining), MLPROD_TASK_NAMES (see --task-names).";

}  // namespace

void AddServeCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<ServeFlags>();
  auto* sub = root.add_subcommand(
      "serve", std::string("Run everything in one process: HTTP API and task workers, with "
                           "embedded defaults (SQLite store under --data-dir, in-process queue, "
                           "in-memory result backend) unless the environment names real "
                           "services. The first start generates the data set and trains the "
                           "baseline model.") +
                   kEnvHelp);
  AddServerFlags(*sub, *flags);
  sub->add_option("--workers", flags->workers, "Task worker threads (inferences)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_option("--training-threads", flags->training_threads,
                  "Threads that run training tasks, besides --workers (trainings run only there)")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  AddDriftFlags(*sub, flags->drift);
  AddLearningFlags(*sub, flags->learning);
  AddKeepResultsFlag(*sub, flags->process);
  sub->callback([flags, &run] { run = [flags] { return RunServer("serve", *flags, true); }; });
}

void AddApiCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<ServeFlags>();
  auto* sub = root.add_subcommand(
      "api", std::string("Run the HTTP API only, against the broker, result backend and "
                         "database of the environment; `mlprod worker` processes run the "
                         "tasks.") +
                 kEnvHelp);
  AddServerFlags(*sub, *flags);
  sub->callback([flags, &run] { run = [flags] { return RunServer("api", *flags, false); }; });
}

}  // namespace mlprod::app
