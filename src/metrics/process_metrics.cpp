#include "metrics/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mlprod::metrics {
namespace {

prometheus::MetricFamily One(std::string name, std::string help, prometheus::MetricType type,
                             double value) {
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return prometheus::MetricFamily{std::move(name), std::move(help), type, {m}};
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat;
  if (!std::getline(stat_file, stat)) return out;
  // Field 2 (comm) may contain spaces; everything after its closing parenthesis is numeric.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string x; fields >> x;) f.push_back(x);
  if (f.size() < 22) return out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const double utime = std::stod(f[11]) / ticks;  // field 14
  const double stime = std::stod(f[12]) / ticks;  // field 15
  const double threads = std::stod(f[17]);        // field 20
  const double start = std::stod(f[19]) / ticks;  // field 22, ticks since boot
  const double vsize = std::stod(f[20]);          // field 23, bytes
  const double rss = std::stod(f[21]) * page;     // field 24, pages

  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  const double max_fds = static_cast<double>(sysconf(_SC_OPEN_MAX));

  using prometheus::MetricType;
  out.push_back(One("process_cpu_seconds_total", "Total user and system CPU time spent in seconds",
                    MetricType::Counter, utime + stime));
  out.push_back(One("process_resident_memory_bytes", "Resident memory size in bytes",
                    MetricType::Gauge, rss));
  out.push_back(One("process_virtual_memory_bytes", "Virtual memory size in bytes",
                    MetricType::Gauge, vsize));
  out.push_back(One("process_start_time_seconds",
                    "Start time of the process since unix epoch in seconds", MetricType::Gauge,
                    BootTimeSeconds() + start));
  out.push_back(
      One("process_open_fds", "Number of open file descriptors", MetricType::Gauge, fds - 1));
  out.push_back(One("process_max_fds", "Maximum number of open file descriptors", MetricType::Gauge,
                    max_fds));
  out.push_back(
      One("process_threads", "Number of OS threads in the process", MetricType::Gauge, threads));
  return out;
}

}  // namespace mlprod::metrics
