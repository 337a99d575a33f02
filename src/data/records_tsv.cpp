#include "data/records_tsv.h"

#include <charconv>
#include <cmath>
#include <set>

#include "common/age_list.h"
#include "common/time_util.h"

namespace mlprod::data {
namespace {

std::string Bool(bool b) { return b ? "1" : "0"; }

// Reads typed cells of one table, naming file, row and column in every error.
class CellReader {
 public:
  CellReader(const TsvTable& table, std::string_view source) : table_(table), source_(source) {}

  Status Require(std::initializer_list<std::string_view> names) const {
    for (std::string_view name : names) {
      if (table_.Column(name) < 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         source_ + ": missing column '" + std::string(name) + "'");
      }
    }
    return OkStatus();
  }
  bool Has(std::string_view name) const { return table_.Column(name) >= 0; }

  Status Read(std::size_t row, std::string_view name, std::string& out) const {
    out = Cell(row, name);
    return OkStatus();
  }
  Status Read(std::size_t row, std::string_view name, double& out) const {
    auto v = ParseDouble(Cell(row, name));
    if (!v.ok()) return Fail(row, name, v.error().message);
    if (!std::isfinite(*v)) return Fail(row, name, "not a finite number");
    out = *v;
    return OkStatus();
  }
  Status Read(std::size_t row, std::string_view name, int& out) const {
    auto v = ParseInt(Cell(row, name));
    if (!v.ok()) return Fail(row, name, v.error().message);
    if (*v < -2000000000LL || *v > 2000000000LL) return Fail(row, name, "out of range");
    out = static_cast<int>(*v);
    return OkStatus();
  }
  Status Read(std::size_t row, std::string_view name, std::int64_t& out) const {
    auto v = ParseInt(Cell(row, name));
    if (!v.ok()) return Fail(row, name, v.error().message);
    out = *v;
    return OkStatus();
  }
  Status Read(std::size_t row, std::string_view name, bool& out) const {
    std::string cell = Cell(row, name);
    for (char& c : cell) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (cell == "1" || cell == "true") {
      out = true;
    } else if (cell == "0" || cell == "false") {
      out = false;
    } else {
      return Fail(row, name, "not a boolean (0/1/true/false): '" + Cell(row, name) + "'");
    }
    return OkStatus();
  }

  Error Fail(std::size_t row, std::string_view name, const std::string& message) const {
    return MakeError(ErrorCode::kInvalidArgument, source_ + ": row " + std::to_string(row + 1) +
                                                      ", column " + std::string(name) + ": " +
                                                      message);
  }

 private:
  const std::string& Cell(std::size_t row, std::string_view name) const {
    return table_.rows[row][static_cast<std::size_t>(table_.Column(name))];
  }

  const TsvTable& table_;
  std::string source_;
};

#define MLPROD_READ(reader, row, record, field) \
  MLPROD_RETURN_IF_ERROR((reader).Read((row), #field, (record).field))

}  // namespace

std::string FormatDouble(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

TsvTable UsersToTsv(std::span<const UserData> users) {
  TsvTable t;
  t.header = {"user_id",      "name",    "people_num", "children_num", "age_avg",
              "age_std",      "age_min", "age_max",    "budget",       "nights",
              "time_arrival", "pool",    "spa",        "pet_friendly", "lake",
              "mountain",     "sport",   "people_age"};
  std::int64_t id = 0;
  for (const UserData& d : users) {
    const User& u = d.user;
    std::string ages;
    for (std::size_t i = 0; i < d.people_age.size(); ++i) {
      if (i) ages += ',';
      ages += std::to_string(d.people_age[i]);
    }
    t.rows.push_back({std::to_string(++id), u.name, std::to_string(u.people_num),
                      std::to_string(u.children_num), FormatDouble(u.age_avg),
                      FormatDouble(u.age_std), std::to_string(u.age_min), std::to_string(u.age_max),
                      FormatDouble(u.budget), std::to_string(u.nights), u.time_arrival,
                      Bool(u.pool), Bool(u.spa), Bool(u.pet_friendly), Bool(u.lake),
                      Bool(u.mountain), Bool(u.sport), ages});
  }
  return t;
}

TsvTable LocationsToTsv(std::span<const Location> locations) {
  TsvTable t;
  t.header = {"location_id",    "lat",         "lon",
              "children",       "breakfast",   "lunch",
              "dinner",         "price",       "has_pool",
              "has_spa",        "animals",     "near_lake",
              "near_mountains", "has_sport",   "family_rating",
              "outdoor_rating", "food_rating", "leisure_rating",
              "service_rating", "user_score"};
  std::int64_t id = 0;
  for (const Location& l : locations) {
    t.rows.push_back({std::to_string(++id),
                      FormatDouble(l.lat),
                      FormatDouble(l.lon),
                      Bool(l.children),
                      Bool(l.breakfast),
                      Bool(l.lunch),
                      Bool(l.dinner),
                      FormatDouble(l.price),
                      Bool(l.has_pool),
                      Bool(l.has_spa),
                      Bool(l.animals),
                      Bool(l.near_lake),
                      Bool(l.near_mountains),
                      Bool(l.has_sport),
                      FormatDouble(l.family_rating),
                      FormatDouble(l.outdoor_rating),
                      FormatDouble(l.food_rating),
                      FormatDouble(l.leisure_rating),
                      FormatDouble(l.service_rating),
                      FormatDouble(l.user_score)});
  }
  return t;
}

Result<std::vector<User>> ParseUsersTsv(const TsvTable& table, std::string_view source) {
  CellReader r(table, source);
  MLPROD_RETURN_IF_ERROR(
      r.Require({"name", "people_num", "children_num", "budget", "nights", "time_arrival", "pool",
                 "spa", "pet_friendly", "lake", "mountain", "sport"}));
  const bool has_ids = r.Has("user_id");
  // The reference's file has people_age and none of the derived age columns.
  const bool ages_from_list = r.Has("people_age") && !r.Has("age_avg") && !r.Has("age_std") &&
                              !r.Has("age_min") && !r.Has("age_max");
  if (!ages_from_list) {
    MLPROD_RETURN_IF_ERROR(r.Require({"age_avg", "age_std", "age_min", "age_max"}));
  }
  std::vector<User> out;
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    User u;
    u.user_id = static_cast<std::int64_t>(i) + 1;
    if (has_ids) MLPROD_READ(r, i, u, user_id);
    if (u.user_id < 1 || !ids.insert(u.user_id).second) {
      return r.Fail(i, "user_id", "must be a unique positive id");
    }
    MLPROD_READ(r, i, u, name);
    MLPROD_READ(r, i, u, children_num);
    if (ages_from_list) {
      std::string cell;
      MLPROD_RETURN_IF_ERROR(r.Read(i, "people_age", cell));
      auto ages = ParseAgeList(cell);
      if (!ages.ok()) return r.Fail(i, "people_age", ages.error().message);
      SetAges(u, *ages);
    } else {
      MLPROD_READ(r, i, u, age_avg);
      MLPROD_READ(r, i, u, age_std);
      MLPROD_READ(r, i, u, age_min);
      MLPROD_READ(r, i, u, age_max);
    }
    MLPROD_READ(r, i, u, people_num);  // the file's count, also where SetAges derived one
    MLPROD_READ(r, i, u, budget);
    MLPROD_READ(r, i, u, nights);
    MLPROD_READ(r, i, u, time_arrival);
    if (auto day = ParseDate(u.time_arrival); !day.ok()) {
      return r.Fail(i, "time_arrival", day.error().message);
    }
    MLPROD_READ(r, i, u, pool);
    MLPROD_READ(r, i, u, spa);
    MLPROD_READ(r, i, u, pet_friendly);
    MLPROD_READ(r, i, u, lake);
    MLPROD_READ(r, i, u, mountain);
    MLPROD_READ(r, i, u, sport);
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<Location>> ParseLocationsTsv(const TsvTable& table, std::string_view source) {
  CellReader r(table, source);
  MLPROD_RETURN_IF_ERROR(r.Require({"children", "breakfast", "lunch", "dinner", "price", "has_pool",
                                    "has_spa", "animals", "near_lake", "near_mountains",
                                    "has_sport", "family_rating", "outdoor_rating", "food_rating",
                                    "leisure_rating", "service_rating", "user_score"}));
  const bool has_ids = r.Has("location_id");
  const bool has_coordinates = r.Has("lat") && r.Has("lon");
  std::vector<Location> out;
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    Location l;
    l.location_id = static_cast<std::int64_t>(i) + 1;
    if (has_ids) MLPROD_READ(r, i, l, location_id);
    if (l.location_id < 1 || !ids.insert(l.location_id).second) {
      return r.Fail(i, "location_id", "must be a unique positive id");
    }
    if (has_coordinates) {
      MLPROD_READ(r, i, l, lat);
      MLPROD_READ(r, i, l, lon);
    }
    MLPROD_READ(r, i, l, children);
    MLPROD_READ(r, i, l, breakfast);
    MLPROD_READ(r, i, l, lunch);
    MLPROD_READ(r, i, l, dinner);
    MLPROD_READ(r, i, l, price);
    MLPROD_READ(r, i, l, has_pool);
    MLPROD_READ(r, i, l, has_spa);
    MLPROD_READ(r, i, l, animals);
    MLPROD_READ(r, i, l, near_lake);
    MLPROD_READ(r, i, l, near_mountains);
    MLPROD_READ(r, i, l, has_sport);
    MLPROD_READ(r, i, l, family_rating);
    MLPROD_READ(r, i, l, outdoor_rating);
    MLPROD_READ(r, i, l, food_rating);
    MLPROD_READ(r, i, l, leisure_rating);
    MLPROD_READ(r, i, l, service_rating);
    MLPROD_READ(r, i, l, user_score);
    out.push_back(l);
  }
  return out;
}

Result<std::vector<User>> ReadUsersTsv(const std::filesystem::path& path) {
  auto table = ReadTsv(path);
  if (!table.ok()) return table.error();
  return ParseUsersTsv(*table, path.string());
}

Result<std::vector<Location>> ReadLocationsTsv(const std::filesystem::path& path) {
  auto table = ReadTsv(path);
  if (!table.ok()) return table.error();
  return ParseLocationsTsv(*table, path.string());
}

}  // namespace mlprod::data
