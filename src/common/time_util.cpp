#include "common/time_util.h"

#include <cstdio>
#include <ctime>

namespace mlprod {

Result<std::chrono::sys_days> ParseDate(std::string_view s) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid date '" + std::string(s) + "', expected YYYY-MM-DD");
  };
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return bad();
  int y = 0, m = 0, d = 0;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return bad();
  }
  y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  m = (s[5] - '0') * 10 + (s[6] - '0');
  d = (s[8] - '0') * 10 + (s[9] - '0');
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (y < 1900 || !ymd.ok()) return bad();
  return std::chrono::sys_days{ymd};
}

std::string FormatDate(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd{day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string FormatTimestamp(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

std::string NowTimestamp() { return FormatTimestamp(std::chrono::system_clock::now()); }

}  // namespace mlprod
