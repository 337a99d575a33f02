// TEMPORARY placeholder while the train command is built; replaced by its real implementation.
#include <iostream>

#include "app/commands.h"

namespace mlprod::app {

void AddTrainCommand(CLI::App& root, CommandRunner& run) {
  auto* sub = root.add_subcommand("train", "(not built yet)");
  sub->callback([&run] {
    run = [] {
      std::cerr << "mlprod train: not built yet\n";
      return 1;
    };
  });
}

}  // namespace mlprod::app
