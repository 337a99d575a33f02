// TEMPORARY placeholder while the dataset command is built; replaced by its real implementation.
#include <iostream>

#include "app/commands.h"

namespace mlprod::app {

void AddDatasetCommand(CLI::App& root, CommandRunner& run) {
  auto* sub = root.add_subcommand("dataset", "(not built yet)");
  sub->callback([&run] {
    run = [] {
      std::cerr << "mlprod dataset: not built yet\n";
      return 1;
    };
  });
}

}  // namespace mlprod::app
