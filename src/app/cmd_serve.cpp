// `mlprod serve`: the whole recommender in one process with embedded defaults (SPEC §2): SQLite
// store under --data-dir, in-process task queue with a worker pool, in-memory result backend,
// the HTTP API. First start generates the data set and trains the baseline; later starts reuse
// them. SIGINT/SIGTERM drain in-flight requests and tasks, then exit 0.
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api_server.h"
#include "app/bootstrap.h"
#include "app/commands.h"
#include "common/env.h"
#include "common/log.h"
#include "data/profiles.h"
#include "queue/inproc/inproc_broker.h"
#include "queue/inproc/inproc_result_backend.h"
#include "store/open_store.h"
#include "tasks/inference_task.h"
#include "tasks/model_pool.h"
#include "tasks/training_task.h"
#include "worker/worker.h"

namespace mlprod::app {
namespace {

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 4789;
  std::string data_dir = "./data";
  std::string config_dir;
  int workers = std::max(2u, std::thread::hardware_concurrency());
  int io_threads = 2;
  std::uint64_t seed = 42;
  std::string log_level = "info";
};

int Fail(const std::string& what, const Error& e) {
  spdlog::error("{}: {}", what, e.message);
  std::cerr << "mlprod serve: " << what << ": " << e.message << "\n";
  return 1;
}

int RunServe(const ServeFlags& f) {
  if (auto st = InitLogging(f.log_level); !st.ok()) {
    std::cerr << "mlprod serve: --log-level: " << st.error().message << "\n";
    return 2;
  }
  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto env = Environment::Load(".env");
  if (!env.ok()) return Fail("reading .env", env.error());
  const std::string api_key = env->GetOr("MLPROD_API_KEY", "");

  namespace fs = std::filesystem;
  const fs::path data_dir = fs::absolute(f.data_dir);
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return Fail("creating " + data_dir.string(), Error{ErrorCode::kUnavailable, ec.message()});

  auto store = store::OpenStore("sqlite://" + (data_dir / "mlprod.db").string());
  if (!store.ok()) return Fail("opening the store", store.error());
  BootstrapOptions boot;
  boot.data_dir = data_dir;
  boot.config_dir = f.config_dir.empty() ? data::DefaultConfigDir() : fs::path(f.config_dir);
  boot.seed = f.seed;
  if (auto st = Bootstrap(**store, boot); !st.ok()) return Fail("first-start preparation", st.error());

  tasks::ModelPool models(**store);
  if (auto st = models.Refresh(); !st.ok()) return Fail("loading the active models", st.error());
  tasks::InferenceTask inference(**store, models);
  tasks::TrainingOptions training_options;
  training_options.models_dir = data_dir / "models";
  training_options.train.seed = f.seed;
  tasks::TrainingTask training(**store, models, training_options);

  worker::TaskRegistry registry;
  registry.Register(std::string(queue::kInferenceTask),
                    [&inference](const queue::TaskMessage& m) { return inference.Run(m); });
  registry.Register(std::string(queue::kTrainingTask),
                    [&training](const queue::TaskMessage& m) { return training.Run(m); });

  queue::InprocBroker broker;
  queue::InprocResultBackend backend;
  worker::WorkerOptions worker_options;
  worker_options.threads = f.workers;
  worker::Worker worker(broker, backend, registry, worker_options);

  auto metrics_registry = std::make_shared<prometheus::Registry>();
  api::ApiConfig config;
  config.server.host = f.host;
  config.server.port = static_cast<std::uint16_t>(f.port);
  config.server.io_threads = f.io_threads;
  config.api_key = api_key;
  api::ApiServer server(**store, broker, backend, metrics_registry, config);

  if (api_key.empty()) {
    spdlog::warn("MLPROD_API_KEY is not set: training and model routes are open to anyone");
  }
  worker.Start();
  if (auto st = server.Start(); !st.ok()) {
    worker.Stop();
    return Fail("starting the HTTP server on " + f.host + ":" + std::to_string(f.port),
                st.error());
  }
  spdlog::info("mlprod serve: listening on http://{}:{} (docs at /docs), {} workers, data in {}",
               f.host, server.port(), f.workers, data_dir.string());
  std::cout << "listening on http://" << f.host << ":" << server.port() << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {}: draining in-flight requests and tasks", sig);
  server.Stop();
  server.Wait();
  worker.Stop();
  broker.Close();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<ServeFlags>();
  auto* sub = root.add_subcommand(
      "serve",
      "Run everything in one process with embedded defaults: HTTP API, in-process task queue "
      "and worker pool, in-memory result backend, SQLite store under --data-dir. The first start "
      "generates the data set and trains the baseline model. Environment: MLPROD_API_KEY (when "
      "set, training and model routes need 'Authorization: Bearer <key>'); a .env file in the "
      "working directory is read too.");
  sub->add_option("--host", flags->host, "Address to listen on")->capture_default_str();
  sub->add_option("--port", flags->port, "TCP port (0 picks a free one and prints it)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  sub->add_option("--data-dir", flags->data_dir,
                  "Directory for the SQLite database, the data set and the model folders")
      ->capture_default_str();
  sub->add_option("--config-dir", flags->config_dir,
                  "Directory with the profile tables user.tsv and location.tsv [default: config/ "
                  "in the working directory, else the source tree's]");
  sub->add_option("--workers", flags->workers, "Task worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_option("--io-threads", flags->io_threads, "HTTP I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sub->add_option("--seed", flags->seed, "Seed of the first-start data set and baseline training")
      ->capture_default_str();
  sub->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  sub->callback([flags, &run] { run = [flags] { return RunServe(*flags); }; });
}

}  // namespace mlprod::app
