#include "api/user_data.h"

#include <limits>
#include <type_traits>

#include "api/validation.h"
#include "common/time_util.h"

namespace mlprod::api {
namespace {

nlohmann::json Loc(std::string_view field) { return {"body", field}; }

// people_age: a list of people_num ages (people is the validated people_num, if it was valid).
void ParseAges(Checker& check, const nlohmann::json& obj, const std::optional<long long>& people,
               std::vector<int>& ages) {
  const auto* v = check.Field(obj, kPeopleAgeField);
  if (v == nullptr) return;
  if (!v->is_array()) {
    check.Add(Loc(kPeopleAgeField), "Input should be a valid list", "list_type");
  } else if (v->size() > static_cast<std::size_t>(kMaxPeople)) {
    // Checked before the elements so a 10k-element list costs one issue, not 10k.
    check.Add(Loc(kPeopleAgeField),
              "List should have at most " + std::to_string(kMaxPeople) +
                  " items after validation, not " + std::to_string(v->size()),
              "too_long");
  } else {
    bool all_ok = true;
    for (std::size_t i = 0; i < v->size(); ++i) {
      auto age = check.Int((*v)[i], {"body", kPeopleAgeField, i}, 0, kMaxAge);
      all_ok = all_ok && age.has_value();
      if (age) ages.push_back(static_cast<int>(*age));
    }
    if (all_ok && people && static_cast<long long>(ages.size()) != *people) {
      check.Add(Loc(kPeopleAgeField),
                "Value error, people_age must have people_num (" + std::to_string(*people) +
                    ") entries, got " + std::to_string(ages.size()),
                "value_error");
    } else if (all_ok && ages.empty()) {
      check.Add(Loc(kPeopleAgeField), "List should have at least 1 item after validation, not 0",
                "too_short");
    }
  }
}

// One field's value by its type and spec; nullopt (and an issue) when it does not fit.
template <class T>
std::optional<T> ParseValue(Checker& check, const nlohmann::json& v, std::string_view key,
                            const FieldSpec& spec) {
  if constexpr (std::is_same_v<T, bool>) {
    return check.Bool(v, Loc(key));
  } else if constexpr (std::is_same_v<T, int>) {
    auto n =
        check.Int(v, Loc(key), static_cast<long long>(spec.min), static_cast<long long>(spec.max));
    return n ? std::optional<int>(static_cast<int>(*n)) : std::nullopt;
  } else if constexpr (std::is_same_v<T, double>) {
    return check.Number(v, Loc(key), spec.min, spec.max, spec.exclusive_min);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (spec.format != FieldFormat::kDate) {
      return check.String(
          v, Loc(key), spec.max_length ? spec.max_length : std::numeric_limits<std::size_t>::max());
    }
    if (!v.is_string()) {
      check.Add(Loc(key), "Input should be a valid date", "date_type");
      return std::nullopt;
    }
    auto day = ParseDate(v.get_ref<const std::string&>());
    if (!day.ok()) {
      check.Add(Loc(key), "Input should be a valid date in the format YYYY-MM-DD",
                "date_from_datetime_parsing");
      return std::nullopt;
    }
    return FormatDate(*day);
  } else {
    static_assert(!sizeof(T), "a trip request field of an unsupported type");
  }
}

}  // namespace

UserDataParse ParseUserData(std::string_view body) {
  UserDataParse out;
  Checker check(out.issues);
  auto obj = check.ParseObject(body);
  if (!obj) return out;

  User user;
  std::optional<long long> people;
  std::vector<int> ages;
  ForEachField<User>([&](const auto& field) {
    using T = typename std::decay_t<decltype(field)>::Type;
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int> || std::is_same_v<T, double> ||
                  std::is_same_v<T, std::string>) {
      if (!field.Has(kInRequest)) return;
      std::string_view key = field.name;
      if (field.spec.alias != nullptr && !obj->contains(field.name) &&
          obj->contains(field.spec.alias)) {
        key = field.spec.alias;
      }
      const nlohmann::json* v = nullptr;
      if (field.Has(kOptional)) {
        const auto it = obj->find(key);
        if (it != obj->end() && !it->is_null()) v = &*it;
      } else {
        v = check.Field(*obj, key);
      }
      if (v != nullptr) {
        if (auto value = ParseValue<T>(check, *v, key, field.spec)) {
          user.*field.member = *value;
          // The two cross-field rules of the request: people_age has people_num entries, and
          // children_num is at most people_num.
          if constexpr (std::is_same_v<T, int>) {
            if (field.member == &User::people_num) people = *value;
            if (field.member == &User::children_num && people && *value > *people) {
              check.Add(Loc(key), "Value error, children_num cannot exceed people_num",
                        "value_error");
            }
          }
        }
      }
      if constexpr (std::is_same_v<T, int>) {
        if (field.member == &User::people_num) ParseAges(check, *obj, people, ages);
      }
    }
  });

  if (!check.ok()) return out;
  SetAges(user, ages);
  out.user = std::move(user);
  return out;
}

}  // namespace mlprod::api
