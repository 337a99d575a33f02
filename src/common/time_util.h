// Calendar dates and UTC timestamps as the API and the store exchange them (YYYY-MM-DD and
// ISO-8601). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mlprod {

// Parses a strict YYYY-MM-DD calendar date (real day of month, years 1900..9999).
Result<std::chrono::sys_days> ParseDate(std::string_view s);
std::string FormatDate(std::chrono::sys_days day);

// "2026-11-28T01:22:33.935992" (naive UTC, as Celery 5.2 writes date_done).
std::string FormatTimestamp(std::chrono::system_clock::time_point t);
std::string NowTimestamp();
// Milliseconds since the Unix epoch (what the leases table and UUID v7 store).
std::int64_t UnixMs(std::chrono::system_clock::time_point t);
// Parses "YYYY-MM-DDTHH:MM:SS[.fraction][Z]" (UTC; a space instead of the T is accepted), as
// FormatTimestamp and the store write it.
Result<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view s);
// A duration as flags write it: a whole number with an optional unit s, m, h or d ("90",
// "90s", "10m", "24h", "2d"; no unit: seconds).
Result<std::chrono::seconds> ParseDuration(std::string_view s);

}  // namespace mlprod
