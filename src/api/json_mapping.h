// JSON shapes of the API answers (SPEC §3 and openapi.json): locations, users, result rows,
// models, task statuses. One place so the shapes and the OpenAPI schemas stay in step.
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

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
// The model row plus its live feedback under "live".
nlohmann::json ModelJson(const store::ModelRow& model, const store::ModelFeedback& live);
// TaskStatus: `{"task_id","status","type"}`.
nlohmann::json TaskStatusJson(std::string_view task_id, std::string_view status,
                              std::string_view type);

}  // namespace mlprod::api
