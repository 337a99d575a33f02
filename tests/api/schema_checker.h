// A structural checker for the subset of JSON Schema that our openapi.json uses (type,
// properties, required, items, enum, anyOf, $ref, minimum/maximum), and the lookup of a
// response by method, concrete path and status. Test support only; not thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mlprod::api::testing {

class SchemaChecker {
 public:
  explicit SchemaChecker(nlohmann::json openapi) : doc_(std::move(openapi)) {}

  // Problems of `value` against `schema` ("$.detail[0].loc: expected array"); empty = valid.
  std::vector<std::string> Check(const nlohmann::json& value, const nlohmann::json& schema) const;
  std::vector<std::string> CheckComponent(const nlohmann::json& value,
                                          const std::string& name) const;

  // The documented response schema for `method path` answered with `status` (path is a
  // concrete path like /inference/status/<uuid>; its template is found here). Null JSON when
  // the route, method, status or a JSON schema is not documented; `why` then says which.
  nlohmann::json ResponseSchema(const std::string& method, const std::string& path, int status,
                                std::string& why) const;
  // The documented response object (a `$ref` to components/responses resolved) for `method path`
  // answered with `status`; nullptr when not documented, `why` then says which part is missing
  // and `route_known` whether the method and path are documented at all.
  const nlohmann::json* DocumentedResponse(const std::string& method, const std::string& path,
                                           int status, std::string& why,
                                           bool* route_known = nullptr) const;

  const nlohmann::json& doc() const { return doc_; }

 private:
  void CheckAt(const nlohmann::json& v, const nlohmann::json& schema, const std::string& where,
               std::vector<std::string>& out, int depth) const;
  const nlohmann::json& Resolve(const nlohmann::json& schema) const;

  nlohmann::json doc_;
};

}  // namespace mlprod::api::testing
