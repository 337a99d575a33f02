#include "app/process_flags.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "common/clock.h"
#include "common/env.h"
#include "common/log.h"
#include "data/profiles.h"
#include "queue/task_names.h"

namespace mlprod::app {

void AddProcessFlags(CLI::App& sub, ProcessFlags& f) {
  sub.add_option("--data-dir", f.data_dir,
                 "Directory for the SQLite database (embedded mode), the data set and the model "
                 "folders (shared by API and workers in distributed mode)")
      ->capture_default_str();
  sub.add_option("--config-dir", f.config_dir,
                 "Directory with the profile tables user.tsv and location.tsv [default: config/ "
                 "in the working directory, else the one installed with mlprod]");
  sub.add_option("--seed", f.seed, "Seed of the first-start data set and of model training")
      ->capture_default_str();
  sub.add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  sub.add_option("--startup-timeout", f.startup_timeout_s,
                 "Seconds to wait for PostgreSQL/RabbitMQ/Redis at start before giving up")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  sub.add_option("--env-file", f.env_file,
                 std::string("File of NAME=VALUE lines in docker compose's .env format "
                             "(${VAR} and $VAR expanded, quotes, # comments) [default: .env in "
                             "the working directory, when it exists; a file named here must "
                             "exist]. ") +
                     kPrecedenceHelp);
}

void AddKeepResultsFlag(CLI::App& sub, ProcessFlags& f) {
  sub.add_option("--keep-results", f.keep_results,
                 "Result rows stored per inference: the first N of the list shown (what "
                 "GET /inference/results can return and retraining learns from); a larger "
                 "results limit gets these N. 0 keeps every location's row, as the reference "
                 "does (~27 KB per inference instead of ~2 KB)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
}

BootstrapOptions MakeBootstrapOptions(const std::filesystem::path& data_dir,
                                      const ProcessFlags& flags) {
  BootstrapOptions boot;
  boot.data_dir = data_dir;
  boot.config_dir =
      flags.config_dir.empty() ? data::DefaultConfigDir() : std::filesystem::path(flags.config_dir);
  boot.seed = flags.seed;
  return boot;
}

void AddRetentionFlag(CLI::App& sub, ProcessFlags& f) {
  sub.add_option("--retention-days", f.retention_days,
                 "Data retention: unanswered, finished recommendation loops (inference, result "
                 "and user rows) and events older than this many days are deleted in small "
                 "batches about every minute (answered loops, rows in training data sets and "
                 "the model registry stay; one process of those sharing a database does it); "
                 "0 keeps everything")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
}

void AddTaskNamesFlag(CLI::App& sub, ProcessFlags& f) {
  const CLI::Validator preset(
      [](std::string& s) {
        auto names = queue::ParseTaskNames(s);
        return names.ok() ? std::string() : names.error().message;
      },
      "PRESET");
  sub.add_option("--task-names", f.task_names,
                 "Celery task names this process publishes, for a fleet that mixes mlprod and "
                 "reference processes (docs/deployment.md, \"Mixed fleets\"): mlprod "
                 "(mlprod.worker.tasks.*, also what the reference's current layout registers; "
                 "'reference' is the same), or reference-2022 (worker.tasks.*, for the "
                 "reference's 2022 workers). mlprod workers accept both; env MLPROD_TASK_NAMES "
                 "[default: mlprod]")
      ->check(preset);
}

void AddDriftFlags(CLI::App& sub, drift::DriftOptions& options) {
  sub.add_option("--drift-window", options.window,
                 "Input drift monitoring: the last N scored requests are compared with the "
                 "active model's training data (gauges drift_psi, drift_input_mean, "
                 "drift_reference_mean, drift_window_requests on /metrics); PSI is reported once "
                 "min(100, N) requests are in the window")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
}

void AddLearningFlags(CLI::App& sub, LearningFlags& flags) {
  sub.add_option("--explore-share", flags.explore_share,
                 "Share of inferences whose list shows the locations in a random order instead "
                 "of the model's (each row logs its propensity): the unbiased labels that "
                 "retraining learns from and the offline gate compares models on; 0 turns "
                 "exploration off (retraining then falls back to shown results and the "
                 "generator-labelled holdout)")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  sub.add_option("--canary-share", flags.canary_share,
                 "Share of inferences on which a retrained model that passed the offline gate "
                 "is shown interleaved with the current one, until the live evidence promotes "
                 "or rolls it back; 0 promotes on the offline gate alone")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  sub.add_flag("--test-bad-candidate", flags.test_bad_candidate,
               "TEST ONLY: retraining shuffles its labels and ignores the offline gate, so a bad "
               "candidate reaches the canary (the rollback scenario)");
}

tasks::TrainingOptions MakeTrainingOptions(const std::filesystem::path& data_dir,
                                           std::uint64_t seed, const LearningFlags& flags) {
  tasks::TrainingOptions options;
  options.models_dir = data_dir / "models";
  options.reference_data = data_dir / "dataset" / "dataset_labelled.tsv";
  options.train.seed = seed;
  options.promotion.canary_share = flags.canary_share;
  options.explore.share = flags.explore_share;
  options.promotion.ignore_gate = flags.test_bad_candidate;
  options.test_shuffle_labels = flags.test_bad_candidate;
  return options;
}

int Fail(const std::string& command, const std::string& what, const Error& error) {
  spdlog::error("{}: {}", what, error.message);
  std::cerr << "mlprod " << command << ": " << what << ": " << error.message << "\n";
  return 1;
}

Result<RuntimeConfig> StartProcess(const std::string& command, const ProcessFlags& f) {
  if (auto st = InitLogging(f.log_level); !st.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "--log-level: " + st.error().message);
  }
  auto env =
      f.env_file.empty() ? Environment::Load(".env", false) : Environment::Load(f.env_file, true);
  if (!env.ok()) {
    return MakeError(env.error().code,
                     (f.env_file.empty() ? "" : "--env-file: ") + env.error().message);
  }
  if (!env->file().empty()) spdlog::info("mlprod {}: read {}", command, env->file().string());
  for (const auto& warning : env->warnings()) spdlog::warn("{}", warning);
  const auto data_dir = std::filesystem::absolute(f.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot create --data-dir " + data_dir.string() + ": " + ec.message());
  }
  auto config = LoadRuntimeConfig(*env, data_dir);
  if (!config.ok()) return config.error();
  config->keep_results = f.keep_results;
  config->retention_days = f.retention_days;
  if (!f.task_names.empty()) {
    auto names = queue::ParseTaskNames(f.task_names);
    if (!names.ok()) {
      return MakeError(ErrorCode::kInvalidArgument, "--task-names: " + names.error().message);
    }
    config->task_names = std::move(*names);
  }
  spdlog::info("mlprod {}: store {}, broker {}, result backend {}, queue '{}', task names {} ({})",
               command,
               config->database_url.empty() ? "sqlite (embedded)" : RedactUrl(config->database_url),
               config->broker_url.empty() ? "in-process" : RedactUrl(config->broker_url),
               config->backend_url.empty() ? "in-memory" : RedactUrl(config->backend_url),
               config->queue, config->task_names.preset, config->task_names.inference);
  return config;
}

Status WaitFor(const std::string& what, const std::function<Status()>& check,
               std::chrono::seconds timeout) {
  const auto deadline = SystemClock().SteadyNow() + timeout;
  for (int attempt = 1;; ++attempt) {
    auto st = check();
    if (st.ok()) {
      if (attempt > 1) spdlog::info("{} is up", what);
      return st;
    }
    if (SystemClock().SteadyNow() >= deadline) {
      return MakeError(st.error().code, what + " not reachable after " +
                                            std::to_string(timeout.count()) +
                                            " s: " + st.error().message);
    }
    if (attempt == 1 || attempt % 10 == 0) {
      spdlog::warn("waiting for {} ({}), retrying every second for up to {} s", what,
                   st.error().message, timeout.count());
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

Status WaitForRuntime(Runtime& rt, const RuntimeConfig& config, std::chrono::seconds timeout) {
  MLPROD_RETURN_IF_ERROR(WaitFor(
      "the database", [&] { return rt.store->Connect(); }, timeout));
  if (!config.distributed()) return OkStatus();
  MLPROD_RETURN_IF_ERROR(WaitFor(
      "the broker", [&] { return rt.broker->Ping(); }, timeout));
  return WaitFor(
      "the result backend", [&] { return rt.backend->Ping(); }, timeout);
}

}  // namespace mlprod::app
