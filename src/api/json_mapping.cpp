#include "api/json_mapping.h"

namespace mlprod::api {
namespace {

void AddLocationFields(nlohmann::json& j, const Location& l) {
  j["location_id"] = l.location_id;
  j["lat"] = l.lat;
  j["lon"] = l.lon;
  j["children"] = l.children;
  j["breakfast"] = l.breakfast;
  j["lunch"] = l.lunch;
  j["dinner"] = l.dinner;
  j["price"] = l.price;
  j["has_pool"] = l.has_pool;
  j["has_spa"] = l.has_spa;
  j["animals"] = l.animals;
  j["near_lake"] = l.near_lake;
  j["near_mountains"] = l.near_mountains;
  j["has_sport"] = l.has_sport;
  j["family_rating"] = l.family_rating;
  j["outdoor_rating"] = l.outdoor_rating;
  j["food_rating"] = l.food_rating;
  j["leisure_rating"] = l.leisure_rating;
  j["service_rating"] = l.service_rating;
  j["user_score"] = l.user_score;
}

nlohmann::json Num(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json Metrics(const store::Metrics5& m) {
  return {{"acc", Num(m.acc)},
          {"auc", Num(m.auc)},
          {"pre", Num(m.pre)},
          {"rec", Num(m.rec)},
          {"f1", Num(m.f1)}};
}

}  // namespace

nlohmann::json LocationJson(const Location& location) {
  nlohmann::json j = nlohmann::json::object();
  AddLocationFields(j, location);
  j["creation_time"] = location.creation_time;
  return j;
}

nlohmann::json UserJson(const User& u) {
  return {{"user_id", u.user_id},
          {"creation_time", u.creation_time},
          {"name", u.name},
          {"people_num", u.people_num},
          {"children_num", u.children_num},
          {"age_avg", u.age_avg},
          {"age_std", u.age_std},
          {"age_min", u.age_min},
          {"age_max", u.age_max},
          {"budget", u.budget},
          {"nights", u.nights},
          {"time_arrival", u.time_arrival},
          {"pool", u.pool},
          {"spa", u.spa},
          {"pet_friendly", u.pet_friendly},
          {"lake", u.lake},
          {"mountain", u.mountain},
          {"sport", u.sport}};
}

nlohmann::json ResultRowJson(const store::ResultRow& row) {
  nlohmann::json j = nlohmann::json::object();
  AddLocationFields(j, row.location);
  // The result's own location_id wins over a location left empty by a debug read.
  j["location_id"] = row.location_id;
  j["result_id"] = row.result_id;
  j["task_id"] = row.task_id;
  j["user_id"] = row.user_id;
  j["score"] = row.score;
  j["label"] = row.label;
  j["shown"] = row.shown;
  j["model_id"] = row.model_id;
  j["explored"] = row.explored;
  j["propensity"] = row.propensity;
  return j;
}

nlohmann::json LiveFeedbackJson(const store::ModelFeedback& f) {
  nlohmann::json positions = nlohmann::json::array();
  double position_sum = 0;
  for (std::size_t k = 0; k < f.pick_positions.size(); ++k) {
    positions.push_back(f.pick_positions[k]);
    position_sum += static_cast<double>(k) * static_cast<double>(f.pick_positions[k]);
  }
  nlohmann::json j = {{"lists", f.lists},
                      {"picks", f.picks},
                      {"no_picks", f.no_picks},
                      {"pick_rate", nullptr},
                      {"mean_pick_position", nullptr},
                      {"pick_positions", std::move(positions)}};
  if (f.lists > 0) j["pick_rate"] = static_cast<double>(f.picks) / static_cast<double>(f.lists);
  if (f.picks > 0) j["mean_pick_position"] = position_sum / static_cast<double>(f.picks);
  return j;
}

nlohmann::json EvidenceJson(const std::string& text) {
  if (text.empty()) return nullptr;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

nlohmann::json ModelJson(const store::ModelRow& m, const store::ModelFeedback& live) {
  nlohmann::json offline = nullptr, canary = nullptr;
  if (const auto evidence = EvidenceJson(m.evidence); evidence.is_object()) {
    if (evidence.contains("offline")) offline = evidence["offline"];
    if (evidence.contains("canary")) canary = evidence["canary"];
  }
  return {{"task_id", m.task_id},
          {"time_creation", m.time_creation},
          {"status", m.status},
          {"state", m.status},
          {"reason", m.reason},
          {"registered_reason", m.registered_reason},
          {"path", m.path},
          {"use_percentage", m.use_percentage},
          {"train", Metrics(m.train)},
          {"test", Metrics(m.test)},
          {"offline", std::move(offline)},
          {"canary", std::move(canary)},
          {"live", LiveFeedbackJson(live)}};
}

nlohmann::json TransitionsJson(const std::vector<store::ModelTransitionRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : rows) {
    out.push_back({{"time", t.time},
                   {"from", t.from_state.empty() ? nlohmann::json() : nlohmann::json(t.from_state)},
                   {"to", t.to_state},
                   {"reason", t.reason},
                   {"evidence", EvidenceJson(t.evidence)},
                   {"manual", t.manual}});
  }
  return out;
}

nlohmann::json TaskStatusJson(std::string_view task_id, std::string_view status,
                              std::string_view type) {
  return {{"task_id", task_id}, {"status", status}, {"type", type}};
}

}  // namespace mlprod::api
