// Flags shared by the long-running subcommands (serve, api, worker) and the start-up steps they
// share: logging, .env and environment, waiting for dependencies. Part of the composition root.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "app/bootstrap.h"
#include "app/runtime.h"
#include "common/result.h"
#include "drift/drift_monitor.h"
#include "tasks/training_task.h"

namespace mlprod::app {

struct ProcessFlags {
  std::string data_dir = "./data";
  std::string config_dir;
  std::uint64_t seed = 42;
  std::string log_level = "info";
  int startup_timeout_s = 60;
  int keep_results = 10;    // --keep-results (serve, worker: the processes that write results)
  int retention_days = 30;  // --retention-days (serve, api, worker)
  std::string env_file;     // --env-file; empty: ./.env when it exists
  std::string task_names;   // --task-names (serve, api, worker); empty: MLPROD_TASK_NAMES
};

// The precedence line every --help of a process that reads .env shows.
inline constexpr const char* kPrecedenceHelp =
    "Precedence: command-line flags > process environment > the .env file (as docker compose "
    "and python-dotenv's load_dotenv do; the environment also wins inside the file's ${...})";

void AddProcessFlags(CLI::App& sub, ProcessFlags& flags);

// --keep-results, for the subcommands that write inference results (serve, worker).
void AddKeepResultsFlag(CLI::App& sub, ProcessFlags& flags);

// --retention-days, for the subcommands that run the data retention job (serve, api, worker).
void AddRetentionFlag(CLI::App& sub, ProcessFlags& flags);

// --task-names, for the subcommands that publish tasks (serve, api; worker: its sweeper).
// StartProcess puts it over MLPROD_TASK_NAMES.
void AddTaskNamesFlag(CLI::App& sub, ProcessFlags& flags);

// --drift-window, for the subcommands that run inference tasks (serve, worker).
void AddDriftFlags(CLI::App& sub, drift::DriftOptions& options);

// --explore-share, --canary-share and the test-only --test-bad-candidate, for the subcommands
// that run inference and training tasks (serve, worker).
struct LearningFlags {
  double explore_share = 0.05;
  double canary_share = 0.1;
  bool test_bad_candidate = false;
};
void AddLearningFlags(CLI::App& sub, LearningFlags& flags);

// The training task's options of a process: model folders and the reference data set under
// data_dir (where the first start writes them), the training seed, the learning flags.
tasks::TrainingOptions MakeTrainingOptions(const std::filesystem::path& data_dir,
                                           std::uint64_t seed, const LearningFlags& flags);

// The first-start preparation of a process (serve, history): data set and models under
// data_dir, profile tables from --config-dir (else the installed ones), the seed.
BootstrapOptions MakeBootstrapOptions(const std::filesystem::path& data_dir,
                                      const ProcessFlags& flags);

// Logging, then the .env file (--env-file) + environment into a RuntimeConfig. On failure prints a
// one-line error prefixed with `command` and returns the exit code to use (2 usage, 1 runtime).
Result<RuntimeConfig> StartProcess(const std::string& command, const ProcessFlags& flags);

// Calls `check` every second until it succeeds or `timeout` passes, logging what it waits for.
Status WaitFor(const std::string& what, const std::function<Status()>& check,
               std::chrono::seconds timeout);

// Waits for the store, broker and backend of a runtime to answer.
Status WaitForRuntime(Runtime& rt, const RuntimeConfig& config, std::chrono::seconds timeout);

// Prints "mlprod <command>: <what>: <message>" to stderr and the log; returns 1.
int Fail(const std::string& command, const std::string& what, const Error& error);

}  // namespace mlprod::app
