// The `UserData` request body of POST /inference/start (SPEC §3): validation with FastAPI-shaped
// issues and the mapping to a store User. Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "api/errors.h"
#include "common/records.h"

namespace mlprod::api {

// Upper bounds beyond the reference's, so absurd input is rejected before it reaches the store.
inline constexpr int kMaxPeople = 100;
inline constexpr int kMaxAge = 120;
inline constexpr double kMaxBudget = 1e9;
inline constexpr int kMaxNights = 365;
inline constexpr std::size_t kMaxNameChars = 200;

struct UserDataParse {
  std::optional<User> user;             // set when valid
  std::vector<ValidationIssue> issues;  // set when not
};

// Unknown fields are ignored (as FastAPI does); `children` is read when `children_num` is
// absent, since old clients of the reference send that name.
UserDataParse ParseUserData(std::string_view body);

}  // namespace mlprod::api
