// Field checks in FastAPI/pydantic v2 terms for JSON bodies and query strings: each failed check
// appends one ValidationIssue and yields nullopt, so a handler reports every problem at once.
// Lax like pydantic: an int may arrive as 3, 3.0 or "3"; a bool as true or 0/1.
// Not thread-safe per Checker; pure otherwise.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.h"

namespace mlprod::api {

class Checker {
 public:
  explicit Checker(std::vector<ValidationIssue>& issues) : issues_(issues) {}

  // Parses a request body that must be a JSON object; on failure records json_invalid or
  // model_attributes_type and returns nullopt.
  std::optional<nlohmann::json> ParseObject(std::string_view body);

  // Converters of one value at `loc`; nullopt (and an issue) when it does not fit.
  std::optional<long long> Int(const nlohmann::json& value, const nlohmann::json& loc,
                               long long min, long long max);
  // A finite number in (min, max] (min_exclusive) or [min, max].
  std::optional<double> Number(const nlohmann::json& value, const nlohmann::json& loc, double min,
                               double max, bool min_exclusive = true);
  std::optional<bool> Bool(const nlohmann::json& value, const nlohmann::json& loc);
  std::optional<std::string> String(const nlohmann::json& value, const nlohmann::json& loc,
                                    std::size_t max_chars);

  // Field required: records `missing` when absent (or null) and returns nullptr.
  const nlohmann::json* Field(const nlohmann::json& obj, std::string_view name,
                              std::string_view section = "body");

  void Add(nlohmann::json loc, std::string msg, std::string type);
  bool ok() const { return issues_.empty(); }

 private:
  std::vector<ValidationIssue>& issues_;
};

// Whether the request's Content-Type lets its body be read as JSON (absent counts as JSON, as
// curl -d and old clients send it); otherwise answer UnsupportedMediaType() (415).
bool JsonBodyAllowed(const Request& request);
Response UnsupportedMediaType();

// The decoded value of a query parameter (`a=1&b=x%20y`), or nullopt when absent.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name);

// An integer query parameter in [min, max], `fallback` when absent; a bad value is an issue.
std::optional<long long> QueryInt(Checker& check, std::string_view query, std::string_view name,
                                  long long fallback, long long min, long long max);

}  // namespace mlprod::api
