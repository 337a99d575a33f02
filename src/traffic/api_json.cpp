#include "traffic/api_json.h"

#include <nlohmann/json.hpp>

namespace mlprod::traffic {
namespace {

using nlohmann::json;

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidArgument, message); }

Result<json> Parse(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("malformed JSON: " + std::string(body.substr(0, 80)));
  return j;
}

bool ReadBool(const json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  return false;
}

double ReadNumber(const json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

std::string UserDataJson(const data::UserData& d) {
  const User& u = d.user;
  json j = {{"name", u.name},
            {"people_num", u.people_num},
            {"people_age", d.people_age},
            {"children_num", u.children_num},
            {"budget", u.budget},
            {"nights", u.nights},
            {"time_arrival", u.time_arrival},
            {"pool", u.pool},
            {"spa", u.spa},
            {"pet_friendly", u.pet_friendly},
            {"lake", u.lake},
            {"mountain", u.mountain},
            {"sport", u.sport}};
  return j.dump();
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
    l.price = row["price"].get<double>();
    l.lat = ReadNumber(row, "lat");
    l.lon = ReadNumber(row, "lon");
    l.children = ReadBool(row, "children");
    l.breakfast = ReadBool(row, "breakfast");
    l.lunch = ReadBool(row, "lunch");
    l.dinner = ReadBool(row, "dinner");
    l.has_pool = ReadBool(row, "has_pool");
    l.has_spa = ReadBool(row, "has_spa");
    l.animals = ReadBool(row, "animals");
    l.near_lake = ReadBool(row, "near_lake");
    l.near_mountains = ReadBool(row, "near_mountains");
    l.has_sport = ReadBool(row, "has_sport");
    l.family_rating = ReadNumber(row, "family_rating");
    l.outdoor_rating = ReadNumber(row, "outdoor_rating");
    l.food_rating = ReadNumber(row, "food_rating");
    l.leisure_rating = ReadNumber(row, "leisure_rating");
    l.service_rating = ReadNumber(row, "service_rating");
    l.user_score = ReadNumber(row, "user_score");
    out.push_back(l);
  }
  return out;
}

}  // namespace mlprod::traffic
