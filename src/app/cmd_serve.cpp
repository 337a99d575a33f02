// TEMPORARY placeholder while the serve command is built; replaced by its real implementation.
#include <iostream>

#include "app/commands.h"

namespace mlprod::app {

void AddServeCommand(CLI::App& root, CommandRunner& run) {
  auto* sub = root.add_subcommand("serve", "(not built yet)");
  sub->callback([&run] {
    run = [] {
      std::cerr << "mlprod serve: not built yet\n";
      return 1;
    };
  });
}

}  // namespace mlprod::app
