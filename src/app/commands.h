// The subcommands of the `mlprod` executable. Each Add*Command registers its CLI11 subcommand
// with all its flags; when that subcommand is chosen, its callback stores in `run` the function
// main() calls after parsing (returning the process exit code).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mlprod::app {

using CommandRunner = std::function<int()>;

void AddDatasetCommand(CLI::App& root, CommandRunner& run);
void AddTrainCommand(CLI::App& root, CommandRunner& run);
void AddServeCommand(CLI::App& root, CommandRunner& run);
void AddApiCommand(CLI::App& root, CommandRunner& run);
void AddWorkerCommand(CLI::App& root, CommandRunner& run);
void AddTrafficCommand(CLI::App& root, CommandRunner& run);
void AddHistoryCommand(CLI::App& root, CommandRunner& run);

}  // namespace mlprod::app
