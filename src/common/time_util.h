// Calendar dates and UTC timestamps as the API and the store exchange them (YYYY-MM-DD and
// ISO-8601). Pure functions; thread-safe.
#pragma once

#include <chrono>
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

}  // namespace mlprod
