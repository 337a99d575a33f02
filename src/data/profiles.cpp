#include "data/profiles.h"

#include <cmath>
#include <set>
#include <span>
#include <variant>

namespace mlprod::data {
namespace {

template <typename P>
struct Column {
  std::string_view name;
  std::variant<int P::*, double P::*, std::optional<double> P::*> field;
};

#define MLPROD_COL(P, f) \
  Column<P> { #f, &P::f }

const Column<UserProfile> kUserColumns[] = {
    MLPROD_COL(UserProfile, meta_n),
    MLPROD_COL(UserProfile, people_min),
    MLPROD_COL(UserProfile, people_max),
    MLPROD_COL(UserProfile, age_min),
    MLPROD_COL(UserProfile, age_max),
    MLPROD_COL(UserProfile, minor_age),
    MLPROD_COL(UserProfile, budget_min),
    MLPROD_COL(UserProfile, budget_max),
    MLPROD_COL(UserProfile, nights_min),
    MLPROD_COL(UserProfile, nights_max),
    MLPROD_COL(UserProfile, spa_thr),
    MLPROD_COL(UserProfile, pool_thr),
    MLPROD_COL(UserProfile, pet_friendly_thr),
    MLPROD_COL(UserProfile, lakes_thr),
    MLPROD_COL(UserProfile, mountains_thr),
    MLPROD_COL(UserProfile, sport_thr),
    MLPROD_COL(UserProfile, budget_tolerance),
    MLPROD_COL(UserProfile, facilities_tolerance),
    MLPROD_COL(UserProfile, environment_tolerance),
    MLPROD_COL(UserProfile, family_tolerance),
    MLPROD_COL(UserProfile, weight_spa),
    MLPROD_COL(UserProfile, weight_pool),
    MLPROD_COL(UserProfile, weight_pet),
    MLPROD_COL(UserProfile, weight_lake),
    MLPROD_COL(UserProfile, weight_mountains),
    MLPROD_COL(UserProfile, weight_sport),
    MLPROD_COL(UserProfile, weight_score_facilities),
    MLPROD_COL(UserProfile, weight_score_environment),
    MLPROD_COL(UserProfile, weight_score_users),
    MLPROD_COL(UserProfile, exploration_tolerance),
    MLPROD_COL(UserProfile, ignore_tolerance),
    MLPROD_COL(UserProfile, start_date_tolerance_min),
    MLPROD_COL(UserProfile, start_date_tolerance_max),
};

const Column<LocationProfile> kLocationColumns[] = {
    MLPROD_COL(LocationProfile, meta_n),
    MLPROD_COL(LocationProfile, threshold_child),
    MLPROD_COL(LocationProfile, threshold_breakfast),
    MLPROD_COL(LocationProfile, threshold_lunch),
    MLPROD_COL(LocationProfile, threshold_dinner),
    MLPROD_COL(LocationProfile, price_min),
    MLPROD_COL(LocationProfile, price_max),
    MLPROD_COL(LocationProfile, threshold_pool),
    MLPROD_COL(LocationProfile, threshold_spa),
    MLPROD_COL(LocationProfile, threshold_animals),
    MLPROD_COL(LocationProfile, threshold_lake),
    MLPROD_COL(LocationProfile, threshold_mountain),
    MLPROD_COL(LocationProfile, threshold_sport),
    MLPROD_COL(LocationProfile, family_min),
    MLPROD_COL(LocationProfile, family_max),
    MLPROD_COL(LocationProfile, outdoor_min),
    MLPROD_COL(LocationProfile, outdoor_max),
    MLPROD_COL(LocationProfile, food_min),
    MLPROD_COL(LocationProfile, food_max),
    MLPROD_COL(LocationProfile, leisure_min),
    MLPROD_COL(LocationProfile, leisure_max),
    MLPROD_COL(LocationProfile, service_min),
    MLPROD_COL(LocationProfile, service_max),
    MLPROD_COL(LocationProfile, score_min),
    MLPROD_COL(LocationProfile, score_max),
    MLPROD_COL(LocationProfile, lat),
    MLPROD_COL(LocationProfile, lon),
};

#undef MLPROD_COL

// A rule violation in one profile row: the column it concerns and why.
struct Violation {
  std::string column;
  std::string message;
};
using Violations = std::vector<Violation>;

std::string Num(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

void Probability(Violations& out, std::string_view name, double v) {
  if (v < 0 || v > 1) out.push_back({std::string(name), "must be in [0, 1], got " + Num(v)});
}
void AtLeast(Violations& out, std::string_view name, double v, double lo) {
  if (v < lo) out.push_back({std::string(name), "must be >= " + Num(lo) + ", got " + Num(v)});
}
void Range(Violations& out, std::string_view min_name, double lo, std::string_view max_name,
           double hi) {
  if (hi < lo) {
    out.push_back(
        {std::string(max_name), Num(hi) + " is below " + std::string(min_name) + " " + Num(lo)});
  }
}

Violations Validate(const UserProfile& p) {
  Violations v;
  AtLeast(v, "meta_n", p.meta_n, 0);
  AtLeast(v, "people_min", p.people_min, 1);
  Range(v, "people_min", p.people_min, "people_max", p.people_max);
  AtLeast(v, "age_min", p.age_min, 0);
  Range(v, "age_min", p.age_min, "age_max", p.age_max);
  // Ages are drawn from [age_min, age_max) and the API accepts 0..120.
  if (p.age_max > 121 || p.age_min > 120) v.push_back({"age_max", "ages must stay within 0..120"});
  AtLeast(v, "minor_age", p.minor_age, 0);
  if (!(p.budget_min > 0)) v.push_back({"budget_min", "must be > 0, got " + Num(p.budget_min)});
  Range(v, "budget_min", p.budget_min, "budget_max", p.budget_max);
  AtLeast(v, "nights_min", p.nights_min, 1);
  Range(v, "nights_min", p.nights_min, "nights_max", p.nights_max);
  Probability(v, "spa_thr", p.spa_thr);
  Probability(v, "pool_thr", p.pool_thr);
  Probability(v, "pet_friendly_thr", p.pet_friendly_thr);
  Probability(v, "lakes_thr", p.lakes_thr);
  Probability(v, "mountains_thr", p.mountains_thr);
  Probability(v, "sport_thr", p.sport_thr);
  AtLeast(v, "budget_tolerance", p.budget_tolerance, 0);
  AtLeast(v, "facilities_tolerance", p.facilities_tolerance, 0);
  AtLeast(v, "environment_tolerance", p.environment_tolerance, 0);
  AtLeast(v, "weight_spa", p.weight_spa, 0);
  AtLeast(v, "weight_pool", p.weight_pool, 0);
  AtLeast(v, "weight_pet", p.weight_pet, 0);
  AtLeast(v, "weight_lake", p.weight_lake, 0);
  AtLeast(v, "weight_mountains", p.weight_mountains, 0);
  AtLeast(v, "weight_sport", p.weight_sport, 0);
  AtLeast(v, "weight_score_facilities", p.weight_score_facilities, 0);
  AtLeast(v, "weight_score_environment", p.weight_score_environment, 0);
  AtLeast(v, "weight_score_users", p.weight_score_users, 0);
  Probability(v, "exploration_tolerance", p.exploration_tolerance);
  Probability(v, "ignore_tolerance", p.ignore_tolerance);
  AtLeast(v, "start_date_tolerance_min", p.start_date_tolerance_min, 0);
  Range(v, "start_date_tolerance_min", p.start_date_tolerance_min, "start_date_tolerance_max",
        p.start_date_tolerance_max);
  return v;
}

Violations Validate(const LocationProfile& p) {
  Violations v;
  AtLeast(v, "meta_n", p.meta_n, 0);
  for (auto [name, value] : {std::pair{"threshold_child", p.threshold_child},
                             {"threshold_breakfast", p.threshold_breakfast},
                             {"threshold_lunch", p.threshold_lunch},
                             {"threshold_dinner", p.threshold_dinner},
                             {"threshold_pool", p.threshold_pool},
                             {"threshold_spa", p.threshold_spa},
                             {"threshold_animals", p.threshold_animals},
                             {"threshold_lake", p.threshold_lake},
                             {"threshold_mountain", p.threshold_mountain},
                             {"threshold_sport", p.threshold_sport}}) {
    Probability(v, name, value);
  }
  AtLeast(v, "price_min", p.price_min, 0);
  Range(v, "price_min", p.price_min, "price_max", p.price_max);
  Range(v, "family_min", p.family_min, "family_max", p.family_max);
  Range(v, "outdoor_min", p.outdoor_min, "outdoor_max", p.outdoor_max);
  Range(v, "food_min", p.food_min, "food_max", p.food_max);
  Range(v, "leisure_min", p.leisure_min, "leisure_max", p.leisure_max);
  Range(v, "service_min", p.service_min, "service_max", p.service_max);
  Range(v, "score_min", p.score_min, "score_max", p.score_max);
  if (p.lat.has_value() != p.lon.has_value()) {
    v.push_back({p.lat ? "lon" : "lat", "lat and lon must be given together"});
  }
  if (p.lat && (*p.lat < -90 || *p.lat > 90)) v.push_back({"lat", "must be in [-90, 90]"});
  if (p.lon && (*p.lon < -180 || *p.lon > 180)) v.push_back({"lon", "must be in [-180, 180]"});
  return v;
}

Error RowError(std::string_view source, std::size_t row, std::string_view profile,
               std::string_view column, std::string_view message) {
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(source) + ": row " + std::to_string(row) + " ('" +
                       std::string(profile) + "'), column " + std::string(column) + ": " +
                       std::string(message));
}

template <typename P>
Result<std::vector<P>> ParseProfiles(const TsvTable& table, std::string_view source,
                                     std::span<const Column<P>> columns) {
  // Where each known column sits in the file (-1: absent, default applies).
  std::vector<int> position(columns.size(), -1);
  std::set<std::string> seen;
  for (std::size_t h = 0; h < table.header.size(); ++h) {
    const std::string& name = table.header[h];
    if (!seen.insert(name).second) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(source) + ": duplicate column '" + name + "'");
    }
    if (name == "meta_comment") continue;
    std::size_t c = 0;
    while (c < columns.size() && columns[c].name != name) ++c;
    if (c == columns.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(source) + ": unknown column '" + name +
                           "' (a misspelt column would silently fall back to its default)");
    }
    position[c] = static_cast<int>(h);
  }
  for (std::string_view required : {"meta_comment", "meta_n"}) {
    if (!seen.contains(std::string(required))) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          std::string(source) + ": missing required column '" + std::string(required) + "'");
    }
  }
  const int name_col = table.Column("meta_comment");

  if (table.rows.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(source) + ": no profile rows");
  }
  std::vector<P> out;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    P profile;
    profile.meta_comment = row[name_col];
    if (profile.meta_comment.empty()) {
      return RowError(source, r + 1, "", "meta_comment", "must not be empty");
    }
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (position[c] < 0) continue;
      const std::string& cell = row[position[c]];
      const Column<P>& col = columns[c];
      Status parsed = std::visit(
          [&](auto member) -> Status {
            using T = std::remove_reference_t<decltype(profile.*member)>;
            if constexpr (std::is_same_v<T, int>) {
              auto v = ParseInt(cell);
              if (!v.ok()) return v.error();
              if (*v < -1000000000 || *v > 1000000000) {
                return MakeError(ErrorCode::kInvalidArgument, "out of range: '" + cell + "'");
              }
              profile.*member = static_cast<int>(*v);
            } else {
              auto v = ParseDouble(cell);
              if (!v.ok()) return v.error();
              if (!std::isfinite(*v)) {
                return MakeError(ErrorCode::kInvalidArgument,
                                 "not a finite number: '" + cell + "'");
              }
              profile.*member = *v;
            }
            return OkStatus();
          },
          col.field);
      if (!parsed.ok()) {
        return RowError(source, r + 1, profile.meta_comment, col.name, parsed.error().message);
      }
    }
    const Violations violations = Validate(profile);
    if (!violations.empty()) {
      return RowError(source, r + 1, profile.meta_comment, violations.front().column,
                      violations.front().message);
    }
    out.push_back(std::move(profile));
  }
  return out;
}

}  // namespace

std::filesystem::path DefaultConfigDir() {
  std::error_code ec;
  if (std::filesystem::is_directory("config", ec)) return "config";
  return SourceConfigDir();
}

std::filesystem::path SourceConfigDir() { return MLPROD_SOURCE_CONFIG_DIR; }

Result<std::vector<UserProfile>> ParseUserProfiles(const TsvTable& table, std::string_view source) {
  return ParseProfiles<UserProfile>(table, source, kUserColumns);
}

Result<std::vector<LocationProfile>> ParseLocationProfiles(const TsvTable& table,
                                                           std::string_view source) {
  return ParseProfiles<LocationProfile>(table, source, kLocationColumns);
}

Result<std::vector<UserProfile>> ReadUserProfiles(const std::filesystem::path& path) {
  auto table = ReadTsv(path);
  if (!table.ok()) return table.error();
  return ParseUserProfiles(*table, path.string());
}

Result<std::vector<LocationProfile>> ReadLocationProfiles(const std::filesystem::path& path) {
  auto table = ReadTsv(path);
  if (!table.ok()) return table.error();
  return ParseLocationProfiles(*table, path.string());
}

}  // namespace mlprod::data
