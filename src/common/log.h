// Logging setup: one spdlog logger to stderr, one line per event. Call InitLogging once from
// the composition root (app/); everything else just uses spdlog::info/warn/error.
#pragma once

#include <string_view>

#include "common/result.h"

namespace mlprod {

// level: trace|debug|info|warn|error|off. An unknown level is an error naming it.
Status InitLogging(std::string_view level);

}  // namespace mlprod
