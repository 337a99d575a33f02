// JSON of the records from their field table (common/record_fields.h): the object of a User or
// a Location and the trip request body (UserData, SPEC §3) that clients send. The one mapping
// that the API's answers and the load generator's requests share. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "common/record_fields.h"

namespace mlprod {

// Sets j[name] = record.member for every field of R that has none of the `skip` flags.
template <class R>
void AddFieldsJson(nlohmann::json& j, const R& record, unsigned skip = 0) {
  ForEachField<R>([&](const auto& field) {
    if (!field.Has(skip)) j[field.name] = record.*field.member;
  });
}

// Every field of R: the record's own JSON (GET /content/user/{id}, /content/location/{id}).
template <class R>
nlohmann::json RecordJson(const R& record) {
  nlohmann::json j = nlohmann::json::object();
  AddFieldsJson(j, record);
  return j;
}

// The trip request of `user` with these ages: the kInRequest fields and people_age.
inline nlohmann::json TripRequestJson(const User& user, std::span<const int> ages) {
  nlohmann::json j = nlohmann::json::object();
  ForEachField<User>([&](const auto& field) {
    if (field.Has(kInRequest)) j[field.name] = user.*field.member;
  });
  j[kPeopleAgeField] = nlohmann::json(std::vector<int>(ages.begin(), ages.end()));
  return j;
}

}  // namespace mlprod
