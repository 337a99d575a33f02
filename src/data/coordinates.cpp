#include "data/coordinates.h"

#include <cctype>
#include <string>

namespace mlprod::data {
namespace {

struct City {
  std::string_view name;
  GeoPoint centre;
};

// Several spellings per city because profile tables are hand-written in different languages.
constexpr City kCities[] = {
    {"zurich", {47.3769, 8.5417}},   {"zürich", {47.3769, 8.5417}},
    {"bern", {46.9480, 7.4474}},     {"berne", {46.9480, 7.4474}},
    {"lausanne", {46.5197, 6.6323}}, {"geneve", {46.2044, 6.1432}},
    {"genève", {46.2044, 6.1432}},   {"geneva", {46.2044, 6.1432}},
    {"lugano", {46.0037, 8.9511}},   {"bellinzona", {46.1955, 9.0229}},
    {"locarno", {46.1709, 8.7995}},  {"altdorf", {46.8805, 8.6444}},
    {"zermatt", {46.0207, 7.7491}},  {"coira", {46.8508, 9.5320}},
    {"chur", {46.8508, 9.5320}},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  // Only ASCII letters change; UTF-8 bytes of accented letters pass through untouched.
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<GeoPoint> CityCentre(std::string_view name) {
  const std::string key = Lower(name);
  for (const City& city : kCities) {
    if (city.name == key) return city.centre;
  }
  return std::nullopt;
}

}  // namespace mlprod::data
