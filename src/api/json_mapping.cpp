#include "api/json_mapping.h"

#include "common/record_json.h"

namespace mlprod::api {
namespace {

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

nlohmann::json LocationJson(const Location& location) { return RecordJson(location); }

nlohmann::json UserJson(const User& user) { return RecordJson(user); }

nlohmann::json ResultRowJson(const store::ResultRow& row) {
  nlohmann::json j = nlohmann::json::object();
  AddFieldsJson(j, row.location, kRowTime);
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
