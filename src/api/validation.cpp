#include "api/validation.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "api/http_policy.h"

namespace mlprod::api {
namespace {

std::string Num(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return nlohmann::json(v).dump();
}

std::optional<long long> ParseInteger(std::string_view s) {
  long long v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// The server already refused a body without a JSON type; an absent type here means no body.
bool IsJsonContent(std::string_view content_type) {
  return content_type.empty() || IsJsonMediaType(content_type);
}

}  // namespace

Response UnsupportedMediaType() {
  return DetailResponse(415, "Content-Type must be application/json");
}

bool JsonBodyAllowed(const Request& r) { return IsJsonContent(r.content_type); }

void Checker::Add(nlohmann::json loc, std::string msg, std::string type) {
  issues_.push_back({std::move(loc), std::move(msg), std::move(type)});
}

std::optional<nlohmann::json> Checker::ParseObject(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    Add({"body", 0}, "JSON decode error", "json_invalid");
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    Add({"body"}, "Input should be a valid dictionary or object to extract fields from",
        "model_attributes_type");
    return std::nullopt;
  }
  return parsed;
}

const nlohmann::json* Checker::Field(const nlohmann::json& obj, std::string_view name,
                                     std::string_view section) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    Add({section, name}, "Field required", "missing");
    return nullptr;
  }
  return &*it;
}

std::optional<long long> Checker::Int(const nlohmann::json& v, const nlohmann::json& loc,
                                      long long min, long long max) {
  std::optional<long long> out;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<unsigned long long>() > 1ULL << 62) {
      Add(loc, "Input should be less than or equal to " + std::to_string(max), "less_than_equal");
      return std::nullopt;
    }
    out = v.get<long long>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      out = static_cast<long long>(d);
    } else {
      Add(loc, "Input should be a valid integer, got a number with a fractional part",
          "int_from_float");
      return std::nullopt;
    }
  } else if (v.is_string()) {
    out = ParseInteger(v.get_ref<const std::string&>());
    if (!out) {
      Add(loc, "Input should be a valid integer, unable to parse string as an integer",
          "int_parsing");
      return std::nullopt;
    }
  } else {
    Add(loc, "Input should be a valid integer", "int_type");
    return std::nullopt;
  }
  if (*out < min) {
    Add(loc, "Input should be greater than or equal to " + std::to_string(min),
        "greater_than_equal");
    return std::nullopt;
  }
  if (*out > max) {
    Add(loc, "Input should be less than or equal to " + std::to_string(max), "less_than_equal");
    return std::nullopt;
  }
  return out;
}

std::optional<double> Checker::Number(const nlohmann::json& v, const nlohmann::json& loc,
                                      double min, double max, bool min_exclusive) {
  std::optional<double> out;
  if (v.is_number()) {
    out = v.get<double>();
  } else if (v.is_string()) {
    out = ParseNumber(v.get_ref<const std::string&>());
    if (!out) {
      Add(loc, "Input should be a valid number, unable to parse string as a number",
          "float_parsing");
      return std::nullopt;
    }
  } else {
    Add(loc, "Input should be a valid number", "float_type");
    return std::nullopt;
  }
  if (!std::isfinite(*out)) {
    Add(loc, "Input should be a finite number", "finite_number");
    return std::nullopt;
  }
  if (min_exclusive && !(*out > min)) {
    Add(loc, "Input should be greater than " + Num(min), "greater_than");
    return std::nullopt;
  }
  if (!min_exclusive && *out < min) {
    Add(loc, "Input should be greater than or equal to " + Num(min), "greater_than_equal");
    return std::nullopt;
  }
  if (*out > max) {
    Add(loc, "Input should be less than or equal to " + Num(max), "less_than_equal");
    return std::nullopt;
  }
  return out;
}

std::optional<bool> Checker::Bool(const nlohmann::json& v, const nlohmann::json& loc) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) {
    const auto i = v.get<long long>();
    if (i == 0 || i == 1) return i == 1;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  Add(loc, "Input should be a valid boolean", "bool_type");
  return std::nullopt;
}

std::optional<std::string> Checker::String(const nlohmann::json& v, const nlohmann::json& loc,
                                           std::size_t max_chars) {
  if (!v.is_string()) {
    Add(loc, "Input should be a valid string", "string_type");
    return std::nullopt;
  }
  const auto& s = v.get_ref<const std::string&>();
  // PostgreSQL text cannot hold NUL: libpq would cut the value there and store something else.
  if (s.find('\0') != std::string::npos) {
    Add(loc, "String should not contain NUL characters", "string_pattern_mismatch");
    return std::nullopt;
  }
  std::size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // the parser already checked UTF-8
  if (chars > max_chars) {
    Add(loc, "String should have at most " + std::to_string(max_chars) + " characters",
        "string_too_long");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    const std::string_view raw = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        out += ' ';
      } else if (raw[i] == '%' && i + 2 < raw.size()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(raw.data() + i + 1, raw.data() + i + 3, v, 16);
        if (ec != std::errc() || p != raw.data() + i + 3) {
          out += raw[i];
          continue;
        }
        out += static_cast<char>(v);
        i += 2;
      } else {
        out += raw[i];
      }
    }
    return out;
  }
  return std::nullopt;
}

std::optional<long long> QueryInt(Checker& check, std::string_view query, std::string_view name,
                                  long long fallback, long long min, long long max) {
  auto raw = QueryParam(query, name);
  if (!raw) return fallback;
  return check.Int(nlohmann::json(*raw), {"query", name}, min, max);
}

}  // namespace mlprod::api
