#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <map>
#include <string>

namespace mlprod {
namespace {

struct IgnoredSite {
  long long count = 0;
  LogLimiter log;
};

struct IgnoredSites {
  Mutex mu;
  std::map<std::string, IgnoredSite, std::less<>> by_site MLPROD_GUARDED_BY(mu);
};

IgnoredSites& Ignored() {
  static IgnoredSites sites;
  return sites;
}

}  // namespace

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
  MutexLock lock(mu_);
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

void IgnoreError(std::string_view site, const Status& status) {
  if (status.ok()) return;
  IgnoredSite* entry = nullptr;
  {
    auto& ignored = Ignored();
    MutexLock lock(ignored.mu);
    auto& sites = ignored.by_site;
    auto it = sites.find(site);
    if (it == sites.end()) it = sites.try_emplace(std::string(site)).first;
    ++it->second.count;
    entry = &it->second;  // map nodes stay where they are; none is ever erased
  }
  long long suppressed = 0;
  if (!entry->log.Allow(&suppressed)) return;
  spdlog::warn("{}: ignored ({}): {}{}", site, ErrorCodeName(status.error().code),
               status.error().message,
               suppressed > 0 ? " (" + std::to_string(suppressed) + " similar lines suppressed)"
                              : std::string());
}

std::vector<std::pair<std::string, long long>> IgnoredErrorCounts() {
  auto& ignored = Ignored();
  MutexLock lock(ignored.mu);
  std::vector<std::pair<std::string, long long>> out;
  for (const auto& [site, entry] : ignored.by_site) out.emplace_back(site, entry.count);
  return out;
}

}  // namespace mlprod
