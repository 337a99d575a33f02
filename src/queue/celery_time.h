// ISO-8601 timestamps as Celery writes them in `eta`/`expires` headers
// ("...T01:22:33.935992+00:00") and in `date_done` (naive UTC). Not a general date library. Pure
// functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mlprod::queue {

// Parses YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]; a missing offset means UTC (Celery's
// naive timestamps are UTC). A space instead of 'T' is accepted, as Python's isoformat allows.
Result<std::chrono::system_clock::time_point> ParseIsoTimestamp(std::string_view s);

// "2026-11-28T01:22:33.935992+00:00", the form Celery 5.2 sends for eta and expires.
std::string FormatIsoTimestampUtc(std::chrono::system_clock::time_point t);

}  // namespace mlprod::queue
