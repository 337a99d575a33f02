#include "queue/celery_time.h"

#include "common/time_util.h"

namespace mlprod::queue {
namespace {

// Reads exactly `n` digits at `pos`, or -1.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

Result<std::chrono::system_clock::time_point> ParseIsoTimestamp(std::string_view s) {
  using namespace std::chrono;
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid timestamp '" + std::string(s) + "': " + std::string(why));
  };
  if (s.size() < 19) return bad("expected YYYY-MM-DDTHH:MM:SS");
  auto day = ParseDate(s.substr(0, 10));
  if (!day.ok()) return bad("bad date");
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return bad("expected 'T' after the date");
  const int hh = Digits(s, 11, 2), mm = Digits(s, 14, 2), ss = Digits(s, 17, 2);
  if (hh < 0 || mm < 0 || ss < 0 || s[13] != ':' || s[16] != ':') return bad("bad time of day");
  if (hh > 23 || mm > 59 || ss > 60) return bad("time of day out of range");
  size_t pos = 19;
  long long micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int ndigits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (ndigits < 6) micros = micros * 10 + (s[pos] - '0');
      ++ndigits;
      ++pos;
    }
    if (ndigits == 0) return bad("empty fraction of a second");
    for (int i = ndigits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size()) {
    const char sign = s[pos];
    if ((sign == 'Z' || sign == 'z') && pos + 1 == s.size()) {
      pos = s.size();
    } else if (sign == '+' || sign == '-') {
      const int oh = Digits(s, pos + 1, 2), om = Digits(s, pos + 4, 2);
      if (oh < 0 || om < 0 || s[pos + 3] != ':' || pos + 6 != s.size() || oh > 23 || om > 59) {
        return bad("bad UTC offset, expected +HH:MM");
      }
      offset_minutes = (oh * 60 + om) * (sign == '-' ? -1 : 1);
      pos = s.size();
    } else {
      return bad("unexpected text after the time");
    }
  }
  const auto local = sys_days{*day} + hours{hh} + minutes{mm} + seconds{ss} + microseconds{micros};
  return time_point_cast<system_clock::duration>(local - minutes{offset_minutes});
}

std::string FormatIsoTimestampUtc(std::chrono::system_clock::time_point t) {
  return FormatTimestamp(t) + "+00:00";
}

}  // namespace mlprod::queue
