// mlprod: one executable, one subcommand per process role (SPEC §2). This file and the cmd_*
// files beside it are the composition root: the only code that reads flags and the environment
// and builds the objects the modules need.
#include <malloc.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "app/commands.h"

int main(int argc, char** argv) {
  // glibc gives each thread that meets a locked arena a new one, up to 8 per core, and an
  // arena keeps what it once held: with I/O, blocking-pool, worker and training threads that
  // was ~20 MiB of a long-running server's RSS (docs/benchmarks.md, "Soak"). Two arenas serve
  // the same load; MALLOC_ARENA_MAX in the environment still decides when set.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  CLI::App root{
      "mlprod: a holiday-location recommender served as a small production ML platform.\n"
      "Start with `mlprod serve` (everything in one process, no external services)."};
  root.require_subcommand(1);
  const std::string version = "mlprod " MLPROD_VERSION;
  root.set_version_flag("--version", version);
  mlprod::app::CommandRunner run;
  mlprod::app::AddServeCommand(root, run);
  mlprod::app::AddApiCommand(root, run);
  mlprod::app::AddWorkerCommand(root, run);
  mlprod::app::AddDatasetCommand(root, run);
  mlprod::app::AddTrainCommand(root, run);
  mlprod::app::AddTrafficCommand(root, run);
  mlprod::app::AddHistoryCommand(root, run);
  const std::string exit_codes =
      "Exit codes: 0 done (a server: stopped by SIGTERM or Ctrl-C and shut down cleanly), 1 it "
      "failed (the reason on stderr and in the log), 2 a bad command line or option value.";
  root.footer(exit_codes);
  for (CLI::App* sub : root.get_subcommands({})) {
    sub->set_version_flag("--version", version);
    sub->footer(sub->get_name() == "traffic"
                    ? exit_codes +
                          " 130 or 143: stopped by SIGINT or SIGTERM (the summary of "
                          "what ran is printed)."
                    : exit_codes);
  }
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2 (CLI11's own codes vary).
    return root.exit(e) == 0 ? 0 : 2;
  }
  return run ? run() : 0;
}
