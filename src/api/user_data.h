// The `UserData` request body of POST /inference/start (SPEC §3): validation with FastAPI-shaped
// issues and the mapping to a store User. Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "api/errors.h"
#include "common/record_fields.h"
#include "common/records.h"

namespace mlprod::api {

struct UserDataParse {
  std::optional<User> user;             // set when valid
  std::vector<ValidationIssue> issues;  // set when not
};

// The fields, their types and bounds (beyond the reference's, so absurd input is rejected before
// it reaches the store) are the kInRequest fields of common/record_fields.h, plus people_age.
// Unknown fields are ignored (as FastAPI does); `children` is read when `children_num` is
// absent, since old clients of the reference send that name.
UserDataParse ParseUserData(std::string_view body);

}  // namespace mlprod::api
