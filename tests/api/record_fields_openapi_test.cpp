// openapi.json against the field table of common/record_fields.h: the UserData, User, Location
// and ResultRow schemas have exactly the table's fields with its types and constraints, both
// ways, so the document cannot drift from what the server reads and writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "api/assets.h"
#include "common/record_fields.h"

namespace mlprod::api {
namespace {

using nlohmann::json;

json Schemas() { return json::parse(assets::OpenApiJson())["components"]["schemas"]; }

template <class T>
std::string TypeName() {
  if constexpr (std::is_same_v<T, bool>) return "boolean";
  if constexpr (std::is_same_v<T, double>) return "number";
  if constexpr (std::is_integral_v<T>) return "integer";
  return "string";
}

// Compares one property with the field: type, date format and, when `constraints`, the
// request's bounds. Appends what differs.
template <class F>
void CompareProperty(const F& field, const json& prop, bool constraints,
                     std::vector<std::string>& out) {
  using T = typename F::Type;
  const std::string name(field.name);
  if (prop.value("type", "") != TypeName<T>()) {
    out.push_back(name + ": type " + prop.value("type", "(none)") + ", table " + TypeName<T>());
  }
  const bool date = field.spec.format == FieldFormat::kDate;
  if ((prop.value("format", "") == "date") != date) out.push_back(name + ": format date differs");
  if (!constraints) return;
  auto expect_number = [&](const char* key, bool present, double value) {
    if (prop.contains(key) != present || (present && prop[key].get<double>() != value)) {
      out.push_back(name + ": " + key + " differs from the table");
    }
  };
  const bool bounded = std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
                       (field.spec.min != 0 || field.spec.max != 0);
  expect_number("minimum", bounded && !field.spec.exclusive_min, field.spec.min);
  expect_number("exclusiveMinimum", bounded && field.spec.exclusive_min, field.spec.min);
  expect_number("maximum", bounded, field.spec.max);
  expect_number("maxLength", field.spec.max_length != 0,
                static_cast<double>(field.spec.max_length));
}

// The differences between `schema` and R's fields that have `need` and none of `skip` flags
// (need 0: every field). `extra` names properties the schema has beyond the table's.
template <class R>
std::vector<std::string> Differences(const json& schema, unsigned need, unsigned skip,
                                     bool constraints, const std::set<std::string>& extra = {}) {
  std::vector<std::string> out;
  const json& props = schema["properties"];
  std::set<std::string> required;
  for (const auto& r : schema.value("required", json::array())) required.insert(r);
  std::set<std::string> names;
  ForEachField<R>([&](const auto& field) {
    if ((need != 0 && !field.Has(need)) || field.Has(skip)) return;
    const std::string name(field.name);
    names.insert(name);
    if (!props.contains(name)) {
      out.push_back(name + ": in the field table, not in the schema");
      return;
    }
    CompareProperty(field, props[name], constraints, out);
    // In an answer every field is there; in the request the optional ones may be absent.
    if (required.contains(name) == (constraints && field.Has(kOptional))) {
      out.push_back(name + ": required differs from the table");
    }
  });
  for (const auto& [name, prop] : props.items()) {
    if (!names.contains(name) && !extra.contains(name)) {
      out.push_back(name + ": in the schema, not in the field table");
    }
  }
  return out;
}

std::vector<std::string> UserDataDifferences(const json& schemas) {
  const json& schema = schemas["UserData"];
  auto out = Differences<User>(schema, kInRequest, 0, true, {std::string(kPeopleAgeField)});
  const json& ages = schema["properties"][std::string(kPeopleAgeField)];
  if (ages.value("type", "") != "array" || ages.value("maxItems", -1) != kMaxPeople ||
      ages.value("minItems", -1) != 1 || ages["items"].value("type", "") != "integer" ||
      ages["items"].value("minimum", -1) != 0 || ages["items"].value("maximum", -1) != kMaxAge) {
    out.push_back("people_age: not a list of 1..kMaxPeople ages in [0, kMaxAge]");
  }
  const auto required = schema.value("required", json::array());
  if (std::find(required.begin(), required.end(), kPeopleAgeField) == required.end()) {
    out.push_back("people_age: not required");
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(RecordFieldsOpenApi, UserDataIsTheTableTripRequest) {
  const auto diff = UserDataDifferences(Schemas());
  EXPECT_TRUE(diff.empty()) << Join(diff);
}

TEST(RecordFieldsOpenApi, UserHasEveryUserField) {
  const auto diff = Differences<User>(Schemas()["User"], 0, 0, false);
  EXPECT_TRUE(diff.empty()) << Join(diff);
}

TEST(RecordFieldsOpenApi, LocationHasEveryLocationField) {
  const auto diff = Differences<Location>(Schemas()["Location"], 0, 0, false);
  EXPECT_TRUE(diff.empty()) << Join(diff);
}

TEST(RecordFieldsOpenApi, ResultRowHasTheLocationFieldsButCreationTime) {
  const std::set<std::string> result_columns = {"result_id", "task_id",  "user_id",
                                                "score",     "label",    "shown",
                                                "model_id",  "explored", "propensity"};
  const auto diff =
      Differences<Location>(Schemas()["ResultRow"], 0, kRowTime, false, result_columns);
  EXPECT_TRUE(diff.empty()) << Join(diff);
}

// The comparison fails on each kind of drift: a renamed, an extra, a missing bound, a wrong type.
TEST(RecordFieldsOpenApi, DisagreementsAreFound) {
  const json good = Schemas();
  ASSERT_TRUE(UserDataDifferences(good).empty());
  {
    json s = good;
    auto& props = s["UserData"]["properties"];
    props["people_count"] = props["people_num"];
    props.erase("people_num");
    const auto diff = UserDataDifferences(s);
    EXPECT_EQ(diff.size(), 2u) << Join(diff);  // people_num missing, people_count unknown
  }
  {
    json s = good;
    s["UserData"]["properties"]["nights"].erase("maximum");
    EXPECT_EQ(UserDataDifferences(s).size(), 1u);
  }
  {
    json s = good;
    s["UserData"]["properties"]["budget"]["type"] = "integer";
    EXPECT_EQ(UserDataDifferences(s).size(), 1u);
  }
  {
    json s = good;
    s["UserData"]["required"].push_back("name");
    EXPECT_EQ(UserDataDifferences(s).size(), 1u);
  }
  {
    json s = good;
    s["Location"]["properties"].erase("user_score");
    EXPECT_EQ(Differences<Location>(s["Location"], 0, 0, false).size(), 1u);
  }
}

}  // namespace
}  // namespace mlprod::api
