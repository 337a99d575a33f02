#include "schema_checker.h"

#include <algorithm>
#include <cmath>

namespace mlprod::api::testing {
namespace {

bool HasType(const nlohmann::json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "integer") {
    return v.is_number_integer() ||
           (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  }
  if (type == "number") return v.is_number();
  return false;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    out.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

const nlohmann::json& SchemaChecker::Resolve(const nlohmann::json& schema) const {
  if (schema.is_object() && schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const std::string prefix = "#/components/schemas/";
    return doc_["components"]["schemas"].at(ref.substr(prefix.size()));
  }
  return schema;
}

void SchemaChecker::CheckAt(const nlohmann::json& v, const nlohmann::json& raw,
                            const std::string& where, std::vector<std::string>& out,
                            int depth) const {
  if (depth > 32) {
    out.push_back(where + ": schema too deep");
    return;
  }
  const nlohmann::json& s = Resolve(raw);
  if (s.contains("anyOf")) {
    for (const auto& option : s["anyOf"]) {
      std::vector<std::string> sub;
      CheckAt(v, option, where, sub, depth + 1);
      if (sub.empty()) return;
    }
    out.push_back(where + ": matches no anyOf option");
    return;
  }
  if (s.contains("type")) {
    const auto& t = s["type"];
    const bool ok =
        t.is_array() ? std::any_of(t.begin(), t.end(), [&](const auto& x) { return HasType(v, x); })
                     : HasType(v, t.get<std::string>());
    if (!ok) {
      out.push_back(where + ": expected " + t.dump() + ", got " + v.dump());
      return;
    }
  }
  if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) {
    out.push_back(where + ": " + v.dump() + " not in enum " + s["enum"].dump());
  }
  if (v.is_number() && s.contains("minimum") && v.get<double>() < s["minimum"].get<double>()) {
    out.push_back(where + ": below minimum");
  }
  if (v.is_number() && s.contains("maximum") && v.get<double>() > s["maximum"].get<double>()) {
    out.push_back(where + ": above maximum");
  }
  if (v.is_object()) {
    if (s.contains("required")) {
      for (const auto& name : s["required"]) {
        if (!v.contains(name.get<std::string>())) out.push_back(where + ": missing " + name.dump());
      }
    }
    if (s.contains("properties")) {
      for (const auto& [name, sub] : s["properties"].items()) {
        if (v.contains(name)) CheckAt(v[name], sub, where + "." + name, out, depth + 1);
      }
    }
  }
  if (v.is_array() && s.contains("items")) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      CheckAt(v[i], s["items"], where + "[" + std::to_string(i) + "]", out, depth + 1);
    }
  }
}

std::vector<std::string> SchemaChecker::Check(const nlohmann::json& value,
                                              const nlohmann::json& schema) const {
  std::vector<std::string> out;
  CheckAt(value, schema, "$", out, 0);
  return out;
}

std::vector<std::string> SchemaChecker::CheckComponent(const nlohmann::json& value,
                                                       const std::string& name) const {
  return Check(value, {{"$ref", "#/components/schemas/" + name}});
}

const nlohmann::json* SchemaChecker::DocumentedResponse(const std::string& method,
                                                        const std::string& path, int status,
                                                        std::string& why, bool* route_known) const {
  if (route_known != nullptr) *route_known = false;
  const auto concrete = Segments(path.substr(0, path.find('?')));
  for (const auto& [tmpl, item] : doc_["paths"].items()) {
    const auto pattern = Segments(tmpl);
    if (pattern.size() != concrete.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < pattern.size() && match; ++i) {
      match = pattern[i].front() == '{' || pattern[i] == concrete[i];
    }
    if (!match) continue;
    std::string m = method;
    std::transform(m.begin(), m.end(), m.begin(), ::tolower);
    if (!item.contains(m)) {
      why = "method " + method + " not documented for " + tmpl;
      return nullptr;
    }
    if (route_known != nullptr) *route_known = true;
    const auto& responses = item[m]["responses"];
    if (!responses.contains(std::to_string(status))) {
      why = "status " + std::to_string(status) + " not documented for " + method + " " + tmpl;
      return nullptr;
    }
    const nlohmann::json& r = responses[std::to_string(status)];
    if (!r.contains("$ref")) return &r;
    const std::string ref = r["$ref"];
    const std::string prefix = "#/components/responses/";
    static const nlohmann::json kNone = nlohmann::json::object();
    const auto& components = doc_.contains("components") ? doc_["components"] : kNone;
    const auto& shared = components.contains("responses") ? components["responses"] : kNone;
    if (!ref.starts_with(prefix) || !shared.contains(ref.substr(prefix.size()))) {
      why = "unresolvable response " + ref + " for " + method + " " + tmpl;
      return nullptr;
    }
    return &shared[ref.substr(prefix.size())];
  }
  why = "path not documented: " + path;
  return nullptr;
}

nlohmann::json SchemaChecker::ResponseSchema(const std::string& method, const std::string& path,
                                             int status, std::string& why) const {
  const nlohmann::json* r = DocumentedResponse(method, path, status, why);
  if (r == nullptr) return nullptr;
  if (!r->contains("content") || !(*r)["content"].contains("application/json")) {
    why = "no JSON body documented";
    return nullptr;
  }
  return (*r)["content"]["application/json"]["schema"];
}

}  // namespace mlprod::api::testing
