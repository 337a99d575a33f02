// UUID strings for task ids and temporary names, drawn from the kernel's CSPRNG (getrandom), so
// an id cannot be guessed from other ids. Thread-safe (no shared state).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace mlprod {

// A new random UUID v4 in canonical lower-case form, e.g. "7548290e-0844-49f5-aaa9-0190f9eab9dc".
std::string NewUuid();

// A new UUID v7 (RFC 9562): the Unix time in milliseconds in its first 48 bits, then 74 random
// bits. Task ids use it: ids made one after another sort together, so the store appends their
// index entries at one end instead of touching a random page per loop (docs/decisions.md D9).
std::string NewTimeOrderedUuid(std::chrono::system_clock::time_point at = SystemClock().Now());

// The UUID v7 of `unix_ms` with the given random bits (the version and variant bits of `random`
// are overwritten). For generators that draw their own, reproducible randomness.
std::string TimeOrderedUuid(std::int64_t unix_ms, std::array<std::uint8_t, 10> random);

// True when s is a canonical UUID (8-4-4-4-12 hex digits, any version).
bool IsUuid(std::string_view s);

}  // namespace mlprod
