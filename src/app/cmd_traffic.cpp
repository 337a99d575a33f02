// TEMPORARY placeholder while the traffic command is built; replaced by its real implementation.
#include <iostream>

#include "app/commands.h"

namespace mlprod::app {

void AddTrafficCommand(CLI::App& root, CommandRunner& run) {
  auto* sub = root.add_subcommand("traffic", "(not built yet)");
  sub->callback([&run] {
    run = [] {
      std::cerr << "mlprod traffic: not built yet\n";
      return 1;
    };
  });
}

}  // namespace mlprod::app
