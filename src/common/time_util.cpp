#include "common/time_util.h"

#include <cstdio>
#include <ctime>

#include "common/clock.h"

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

Result<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid timestamp '" + std::string(s) + "', expected YYYY-MM-DDTHH:MM:SS");
  };
  if (s.size() < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return bad();
  }
  auto day = ParseDate(s.substr(0, 10));
  if (!day.ok()) return bad();
  auto two = [&](size_t i) -> int {
    if (s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9') return -1;
    return (s[i] - '0') * 10 + (s[i + 1] - '0');
  };
  const int h = two(11), m = two(14), sec = two(17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60) return bad();
  std::chrono::microseconds frac{0};
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    long long scale = 100000;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      frac += std::chrono::microseconds((s[i] - '0') * scale);
      scale /= 10;
    }
  }
  if (i < s.size() && s[i] == 'Z') ++i;
  if (i != s.size()) return bad();
  return std::chrono::system_clock::time_point{*day} + std::chrono::hours(h) +
         std::chrono::minutes(m) + std::chrono::seconds(sec) + frac;
}

Result<std::chrono::seconds> ParseDuration(std::string_view s) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid duration '" + std::string(s) +
                         "', expected a whole number with an optional unit s, m, h or d");
  };
  std::size_t digits = 0;
  long long n = 0;
  for (; digits < s.size() && s[digits] >= '0' && s[digits] <= '9'; ++digits) {
    if (n > 1'000'000'000LL) return bad();
    n = n * 10 + (s[digits] - '0');
  }
  if (digits == 0 || s.size() > digits + 1) return bad();
  long long scale = 1;
  if (s.size() == digits + 1) {
    switch (s[digits]) {
      case 's':
        break;
      case 'm':
        scale = 60;
        break;
      case 'h':
        scale = 3600;
        break;
      case 'd':
        scale = 86400;
        break;
      default:
        return bad();
    }
  }
  return std::chrono::seconds(n * scale);
}

std::string NowTimestamp() { return FormatTimestamp(SystemClock().Now()); }

std::int64_t UnixMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace mlprod
