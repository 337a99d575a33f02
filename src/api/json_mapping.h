// JSON shapes of the API answers (SPEC §3 and openapi.json): locations, users, result rows,
// models, task statuses. One place so the shapes and the OpenAPI schemas stay in step.
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/records.h"
#include "store/store.h"

namespace mlprod::api {

nlohmann::json LocationJson(const Location& location);
nlohmann::json UserJson(const User& user);
// `{result_id, task_id, user_id, score, label, shown, model_id, location_id, <location fields>}`.
nlohmann::json ResultRowJson(const store::ResultRow& row);
// `{lists, picks, no_picks, pick_rate, mean_pick_position, pick_positions[11]}`: pick_rate is
// null without lists, mean_pick_position (beyond the list counting as 10) null without picks.
nlohmann::json LiveFeedbackJson(const store::ModelFeedback& feedback);
// `{task_id, time_creation, status, state, reason, path, use_percentage, train, test, offline,
// canary, live}`: metrics null when not measured, offline and canary the members of the model's
// evidence or null, live its feedback.
nlohmann::json ModelJson(const store::ModelRow& model, const store::ModelFeedback& live);
// `[{time, from, to, reason, evidence, manual}]`, oldest first; from null for the registration.
nlohmann::json TransitionsJson(const std::vector<store::ModelTransitionRow>& rows);
// Stored evidence text as JSON (null when empty; kept as a string when it does not parse).
nlohmann::json EvidenceJson(const std::string& text);
// TaskStatus: `{"task_id","status","type"}`.
nlohmann::json TaskStatusJson(std::string_view task_id, std::string_view status,
                              std::string_view type);

}  // namespace mlprod::api
