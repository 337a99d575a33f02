#include "traffic/api_json.h"

#include <nlohmann/json.hpp>
#include <type_traits>

#include "common/record_json.h"

namespace mlprod::traffic {
namespace {

using nlohmann::json;

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

Result<json> Parse(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("malformed JSON: " + std::string(body.substr(0, 80)));
  return j;
}

bool ReadBool(const json& o, std::string_view key) {
  const auto it = o.find(key);
  if (it == o.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  return false;
}

double ReadNumber(const json& o, std::string_view key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

std::string UserDataJson(const data::UserData& d) {
  return TripRequestJson(d.user, d.people_age).dump();
}

std::string SelectJson(std::string_view task_id, std::int64_t location_id) {
  return json{{"task_id", task_id}, {"location_id", location_id}}.dump();
}

Result<TaskStatus> ParseTaskStatus(std::string_view body) {
  auto j = Parse(body);
  if (!j.ok()) return j.error();
  if (!j->is_object() || !j->contains("task_id") || !(*j)["task_id"].is_string() ||
      !j->contains("status") || !(*j)["status"].is_string()) {
    return Bad("TaskStatus needs string fields task_id and status: " +
               std::string(body.substr(0, 80)));
  }
  return TaskStatus{(*j)["task_id"].get<std::string>(), (*j)["status"].get<std::string>()};
}

Result<std::vector<Location>> ParseResults(std::string_view body, std::string* model_id) {
  auto j = Parse(body);
  if (!j.ok()) return j.error();
  if (!j->is_array()) return Bad("results must be a JSON array");
  std::vector<Location> out;
  out.reserve(j->size());
  if (model_id != nullptr) model_id->clear();
  for (const json& row : *j) {
    if (!row.is_object() || !row.contains("location_id") ||
        !row["location_id"].is_number_integer() || !row.contains("price") ||
        !row["price"].is_number()) {
      return Bad("each result needs an integer location_id and a numeric price");
    }
    if (model_id != nullptr && model_id->empty()) {
      // An explored list (a random order, not the model's) is its own group.
      const auto explored = row.find("explored");
      const auto it = row.find("model_id");
      if (explored != row.end() && explored->is_boolean() && explored->get<bool>()) {
        *model_id = "explored";
      } else if (it != row.end() && it->is_string()) {
        *model_id = it->get<std::string>();
      }
    }
    Location l;
    l.location_id = row["location_id"].get<std::int64_t>();
    ForEachField<Location>([&](const auto& field) {
      using T = typename std::decay_t<decltype(field)>::Type;
      if constexpr (std::is_same_v<T, bool>) {
        l.*field.member = ReadBool(row, field.name);
      } else if constexpr (std::is_same_v<T, double>) {
        l.*field.member = ReadNumber(row, field.name);
      }
    });
    out.push_back(l);
  }
  return out;
}

}  // namespace mlprod::traffic
