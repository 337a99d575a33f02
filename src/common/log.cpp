#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace mlprod {

Status InitLogging(std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown log level '" + std::string(level) +
                         "' (use trace, debug, info, warn, error or off)");
  }
  auto logger = spdlog::stderr_color_mt("mlprod");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%t] %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
  spdlog::flush_on(spdlog::level::warn);
  return OkStatus();
}

bool LogLimiter::Allow(long long* suppressed, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (now - window_start_ >= window_) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= per_window_) {
    ++suppressed_;
    return false;
  }
  ++in_window_;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace mlprod
