// The JSON a simulated user exchanges with the API (SPEC §3): UserData out; TaskStatus and result
// rows in. Not HTTP. Pure functions; thread-safe. Parse errors are kInvalidArgument ("bad JSON").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "data/generate.h"

namespace mlprod::traffic {

// {"name","people_num","people_age":[...],"children_num","budget","nights","time_arrival",
//  "pool","spa","pet_friendly","lake","mountain","sport"}.
std::string UserDataJson(const data::UserData& user);

// {"task_id": id, "location_id": L}; L = -1 means "no pick".
std::string SelectJson(std::string_view task_id, std::int64_t location_id);

struct TaskStatus {
  std::string task_id;
  std::string status;  // PENDING, STARTED, SUCCESS, FAILURE, RETRY, REVOKED
};
Result<TaskStatus> ParseTaskStatus(std::string_view body);

// An array of {score, location_id, <location fields>}: location_id and price are required,
// other fields default to false/0 (booleans may be true/false or 0/1). Also reads the location
// rows of GET /content/locations. model_id, when given, receives the first row's string
// "model_id" ("" when no row has one), or "explored" when that row says `"explored": true` (a
// list in a random order, which `mlprod traffic` reports as a group of its own).
Result<std::vector<Location>> ParseResults(std::string_view body, std::string* model_id = nullptr);

}  // namespace mlprod::traffic
