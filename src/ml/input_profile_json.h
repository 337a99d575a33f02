// model.json's "input_profile" object (docs/ml.md) to and from JSON. Internal to the ml module
// (nlohmann-json is a private dependency of it). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "ml/input_profile.h"

namespace mlprod::ml {

nlohmann::json InputProfileJson(const InputProfile& profile);

// Reads and validates the object; a wrong shape, feature names other than this build's user
// features or broken invariants are kInvalidArgument with a message naming the problem.
Result<InputProfile> ReadInputProfile(const nlohmann::json& j);

}  // namespace mlprod::ml
