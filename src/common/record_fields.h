// The one table of the fields of `User` and `Location` (common/records.h): wire/column name,
// member, format, the trip request's constraints and the model feature slot. JSON, TSV, SQL
// column lists and row readers, validation and the feature order are derived from it at compile
// time (ForEachField). Constant data; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "common/records.h"

namespace mlprod {

// How a string member reads: free text, a YYYY-MM-DD date or a store timestamp.
enum class FieldFormat { kPlain, kDate, kTimestamp };

// Where a field travels besides the record's own JSON (GET /content/*), which has every field.
enum FieldFlag : unsigned {
  kStoreAssigned = 1u << 0,  // the store sets it (id, creation_time): not in the trip request
  kInRequest = 1u << 1,      // a field of the trip request body (UserData, SPEC §3)
  kOptional = 1u << 2,       // in the request: may be absent or null (default kept)
  kFromAges = 1u << 3,       // derived from people_age by SetAges (User's age statistics)
  kSqlDouble = 1u << 4,      // an int member in a DOUBLE PRECISION column (age_min, age_max)
  kSqlNullable = 1u << 5,    // a nullable column: NULL reads as the empty string
  kCoordinate = 1u << 6,     // lat/lon: nullable columns read as 0, optional in data-set files
  kRowTime = 1u << 7,        // creation_time: not in result rows nor in the data-set files
};

// One field's description. The constraints apply to the trip request only (kInRequest).
struct FieldSpec {
  unsigned flags = 0;
  FieldFormat format = FieldFormat::kPlain;
  double min = 0, max = 0;      // numbers: the range; both 0 = unbounded
  bool exclusive_min = false;   // (min, max] instead of [min, max]
  std::size_t max_length = 0;   // strings: at most this many characters; 0 = unbounded
  const char* alias = nullptr;  // an older request name read when the name is absent
  int feature = -1;             // the slot in the record's block of model features; -1 none
};

template <class R, class T>
struct Field {
  std::string_view name;
  T R::*member;
  FieldSpec spec;

  using Record = R;
  using Type = T;
  constexpr bool Has(unsigned flag) const { return (spec.flags & flag) != 0; }
};

template <class R, class T>
constexpr Field<R, T> MakeField(std::string_view name, T R::*member, FieldSpec spec = {}) {
  return {name, member, spec};
}

// The trip request's people_age: a list of ages, which the User keeps as age statistics.
inline constexpr std::string_view kPeopleAgeField = "people_age";
inline constexpr int kMaxPeople = 100;
inline constexpr int kMaxAge = 120;

template <class R>
struct RecordFields;  // kFields: a tuple of Field<R, T>, in column order

// Adding a trip field: a member in records.h, one line here, its property in api/openapi.json
// (a test compares them) and a schema migration adding the column (store/sql/schema.cpp).
template <>
struct RecordFields<User> {
  static constexpr auto kFields = std::make_tuple(
      MakeField("user_id", &User::user_id, {.flags = kStoreAssigned}),
      MakeField("creation_time", &User::creation_time,
                {.flags = kStoreAssigned | kRowTime, .format = FieldFormat::kTimestamp}),
      MakeField("name", &User::name, {.flags = kInRequest | kOptional, .max_length = 200}),
      MakeField("people_num", &User::people_num,
                {.flags = kInRequest, .min = 1, .max = kMaxPeople, .feature = 0}),
      MakeField(
          "children_num", &User::children_num,
          {.flags = kInRequest, .min = 0, .max = kMaxPeople, .alias = "children", .feature = 1}),
      MakeField("age_avg", &User::age_avg, {.flags = kFromAges}),
      MakeField("age_std", &User::age_std, {.flags = kFromAges, .feature = 12}),
      MakeField("age_min", &User::age_min, {.flags = kFromAges | kSqlDouble, .feature = 10}),
      MakeField("age_max", &User::age_max, {.flags = kFromAges | kSqlDouble, .feature = 11}),
      MakeField("budget", &User::budget,
                {.flags = kInRequest, .min = 0, .max = 1e9, .exclusive_min = true, .feature = 2}),
      MakeField("nights", &User::nights, {.flags = kInRequest, .min = 1, .max = 365, .feature = 3}),
      MakeField("time_arrival", &User::time_arrival,
                {.flags = kInRequest | kSqlNullable, .format = FieldFormat::kDate}),
      MakeField("pool", &User::pool, {.flags = kInRequest, .feature = 4}),
      MakeField("spa", &User::spa, {.flags = kInRequest, .feature = 5}),
      MakeField("pet_friendly", &User::pet_friendly, {.flags = kInRequest, .feature = 6}),
      MakeField("lake", &User::lake, {.flags = kInRequest, .feature = 7}),
      MakeField("mountain", &User::mountain, {.flags = kInRequest, .feature = 8}),
      MakeField("sport", &User::sport, {.flags = kInRequest, .feature = 9}));
};

template <>
struct RecordFields<Location> {
  static constexpr auto kFields = std::make_tuple(
      MakeField("location_id", &Location::location_id, {.flags = kStoreAssigned}),
      MakeField("creation_time", &Location::creation_time,
                {.flags = kStoreAssigned | kRowTime, .format = FieldFormat::kTimestamp}),
      MakeField("lat", &Location::lat, {.flags = kCoordinate}),
      MakeField("lon", &Location::lon, {.flags = kCoordinate}),
      MakeField("children", &Location::children, {.feature = 0}),
      MakeField("breakfast", &Location::breakfast, {.feature = 1}),
      MakeField("lunch", &Location::lunch, {.feature = 2}),
      MakeField("dinner", &Location::dinner, {.feature = 3}),
      MakeField("price", &Location::price, {.feature = 4}),
      MakeField("has_pool", &Location::has_pool, {.feature = 5}),
      MakeField("has_spa", &Location::has_spa, {.feature = 6}),
      MakeField("animals", &Location::animals, {.feature = 7}),
      MakeField("near_lake", &Location::near_lake, {.feature = 8}),
      MakeField("near_mountains", &Location::near_mountains, {.feature = 9}),
      MakeField("has_sport", &Location::has_sport, {.feature = 10}),
      MakeField("family_rating", &Location::family_rating, {.feature = 11}),
      MakeField("outdoor_rating", &Location::outdoor_rating, {.feature = 12}),
      MakeField("food_rating", &Location::food_rating, {.feature = 13}),
      MakeField("leisure_rating", &Location::leisure_rating, {.feature = 14}),
      MakeField("service_rating", &Location::service_rating, {.feature = 15}),
      MakeField("user_score", &Location::user_score, {.feature = 16}));
};

// Calls f(field) for every field of R in table order; unrolled at compile time.
template <class R, class F>
constexpr void ForEachField(F&& f) {
  std::apply([&f](const auto&... field) { (f(field), ...); }, RecordFields<R>::kFields);
}

template <class R>
inline constexpr std::size_t kNumFields = std::tuple_size_v<decltype(RecordFields<R>::kFields)>;

// How many fields of R are model features.
template <class R>
constexpr int NumFeatures() {
  int n = 0;
  ForEachField<R>([&n](const auto& field) { n += field.spec.feature >= 0 ? 1 : 0; });
  return n;
}

}  // namespace mlprod
