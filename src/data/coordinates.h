// Where the location profiles' cities are: WGS84 centres of the Swiss cities the reference
// generator names (its coordinates.py lists them in Swiss grid kilometres). Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace mlprod::data {

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

// The centre of a known city, matched case-insensitively (with common spellings: "Geneve",
// "Genève", "Geneva"; "Coira", "Chur"), or nullopt.
std::optional<GeoPoint> CityCentre(std::string_view name);

// Roughly the middle of Switzerland, for profiles naming an unknown place.
inline constexpr GeoPoint kSwitzerlandCentre{46.8182, 8.2275};

}  // namespace mlprod::data
