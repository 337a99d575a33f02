#include "api/user_data.h"

#include "api/validation.h"
#include "common/time_util.h"

namespace mlprod::api {
namespace {

nlohmann::json Loc(std::string_view field) { return {"body", field}; }

}  // namespace

UserDataParse ParseUserData(std::string_view body) {
  UserDataParse out;
  Checker check(out.issues);
  auto obj = check.ParseObject(body);
  if (!obj) return out;

  User user;
  if (auto it = obj->find("name"); it != obj->end() && !it->is_null()) {
    if (auto name = check.String(*it, Loc("name"), kMaxNameChars)) user.name = *name;
  }

  std::optional<long long> people;
  if (auto* v = check.Field(*obj, "people_num"))
    people = check.Int(*v, Loc("people_num"), 1, kMaxPeople);

  std::vector<int> ages;
  if (auto* v = check.Field(*obj, "people_age")) {
    if (!v->is_array()) {
      check.Add(Loc("people_age"), "Input should be a valid list", "list_type");
    } else if (v->size() > static_cast<std::size_t>(kMaxPeople)) {
      // Checked before the elements so a 10k-element list costs one issue, not 10k.
      check.Add(Loc("people_age"),
                "List should have at most " + std::to_string(kMaxPeople) +
                    " items after validation, not " + std::to_string(v->size()),
                "too_long");
    } else {
      bool all_ok = true;
      for (std::size_t i = 0; i < v->size(); ++i) {
        auto age = check.Int((*v)[i], {"body", "people_age", i}, 0, kMaxAge);
        all_ok = all_ok && age.has_value();
        if (age) ages.push_back(static_cast<int>(*age));
      }
      if (all_ok && people && static_cast<long long>(ages.size()) != *people) {
        check.Add(Loc("people_age"),
                  "Value error, people_age must have people_num (" + std::to_string(*people) +
                      ") entries, got " + std::to_string(ages.size()),
                  "value_error");
      } else if (all_ok && ages.empty()) {
        check.Add(Loc("people_age"), "List should have at least 1 item after validation, not 0",
                  "too_short");
      }
    }
  }

  const char* children_key =
      obj->contains("children_num") || !obj->contains("children") ? "children_num" : "children";
  if (auto* v = check.Field(*obj, children_key)) {
    if (auto c = check.Int(*v, Loc(children_key), 0, kMaxPeople)) {
      user.children_num = static_cast<int>(*c);
      if (people && *c > *people) {
        check.Add(Loc(children_key), "Value error, children_num cannot exceed people_num",
                  "value_error");
      }
    }
  }
  if (auto* v = check.Field(*obj, "budget")) {
    if (auto b = check.Number(*v, Loc("budget"), 0, kMaxBudget)) user.budget = *b;
  }
  if (auto* v = check.Field(*obj, "nights")) {
    if (auto n = check.Int(*v, Loc("nights"), 1, kMaxNights)) user.nights = static_cast<int>(*n);
  }
  if (auto* v = check.Field(*obj, "time_arrival")) {
    if (!v->is_string()) {
      check.Add(Loc("time_arrival"), "Input should be a valid date", "date_type");
    } else {
      auto day = ParseDate(v->get_ref<const std::string&>());
      if (!day.ok()) {
        check.Add(Loc("time_arrival"), "Input should be a valid date in the format YYYY-MM-DD",
                  "date_from_datetime_parsing");
      } else {
        user.time_arrival = FormatDate(*day);
      }
    }
  }
  struct Flag {
    const char* name;
    bool User::*field;
  };
  for (const Flag& f : {Flag{"pool", &User::pool}, Flag{"spa", &User::spa},
                        Flag{"pet_friendly", &User::pet_friendly}, Flag{"lake", &User::lake},
                        Flag{"mountain", &User::mountain}, Flag{"sport", &User::sport}}) {
    if (auto* v = check.Field(*obj, f.name)) {
      if (auto b = check.Bool(*v, Loc(f.name))) user.*f.field = *b;
    }
  }

  if (!check.ok()) return out;
  SetAges(user, ages);
  out.user = std::move(user);
  return out;
}

}  // namespace mlprod::api
