// The model's 30 input features (SPEC §6): 13 from the user's trip request, then 17 from the
// location, in the order of the labelled TSV; the slots are the `feature` of the field table
// (common/record_fields.h). Pure functions over records; thread-safe.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "common/record_fields.h"
#include "common/records.h"

namespace mlprod::ml {

inline constexpr int kNumUserFeatures = NumFeatures<User>();
inline constexpr int kNumLocationFeatures = NumFeatures<Location>();
inline constexpr int kNumFeatures = kNumUserFeatures + kNumLocationFeatures;

// Feature names in model order: the 13 user features first, then the 17 location features.
const std::array<std::string_view, kNumFeatures>& FeatureNames();

// Writes the 13 user features (booleans as 0/1; age_std as stored on the user).
void UserFeatures(const User& user, std::span<double, kNumUserFeatures> out);
// Writes the 17 location features (booleans as 0/1).
void LocationFeatures(const Location& location, std::span<double, kNumLocationFeatures> out);

}  // namespace mlprod::ml
