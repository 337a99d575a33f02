// Random UUID v4 strings for task ids. Thread-safe (one generator per thread).
#pragma once

#include <string>
#include <string_view>

namespace mlprod {

// A new random UUID v4 in canonical lower-case form, e.g. "7548290e-0844-49f5-aaa9-0190f9eab9dc".
std::string NewUuid();

// True when s is a canonical UUID (8-4-4-4-12 hex digits, any version).
bool IsUuid(std::string_view s);

}  // namespace mlprod
