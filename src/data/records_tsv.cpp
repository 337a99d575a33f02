#include "data/records_tsv.h"

#include <charconv>
#include <cmath>
#include <set>
#include <type_traits>

#include "common/age_list.h"
#include "common/record_fields.h"
#include "common/time_util.h"

namespace mlprod::data {
namespace {

std::string Bool(bool b) { return b ? "1" : "0"; }

// Reads typed cells of one table, naming file, row and column in every error.
class CellReader {
 public:
  CellReader(const TsvTable& table, std::string_view source) : table_(table), source_(source) {}

  Status Require(const std::vector<std::string_view>& names) const {
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

std::string Cell(const std::string& v) { return v; }
std::string Cell(bool v) { return Bool(v); }
std::string Cell(double v) { return FormatDouble(v); }
std::string Cell(int v) { return std::to_string(v); }
std::string Cell(std::int64_t v) { return std::to_string(v); }

// The file's columns of R: every field but the row's creation time, in table order.
template <class R>
std::vector<std::string> Header() {
  std::vector<std::string> out;
  ForEachField<R>([&](const auto& field) {
    if (!field.Has(kRowTime)) out.emplace_back(field.name);
  });
  return out;
}

// One row of R's columns; the id (the other store-assigned field) is the row number.
template <class R>
std::vector<std::string> Cells(const R& record, std::int64_t id) {
  std::vector<std::string> out;
  ForEachField<R>([&](const auto& field) {
    if (field.Has(kRowTime)) return;
    out.push_back(field.Has(kStoreAssigned) ? Cell(id) : Cell(record.*field.member));
  });
  return out;
}

// The columns a file of R must have: the fields with none of the `optional` flags.
template <class R>
std::vector<std::string_view> RequiredColumns(unsigned optional) {
  std::vector<std::string_view> out;
  ForEachField<R>([&](const auto& field) {
    if (!field.Has(optional)) out.push_back(field.name);
  });
  return out;
}

// The columns of the fields that have `flag`.
template <class R>
std::vector<std::string_view> ColumnsWith(unsigned flag) {
  std::vector<std::string_view> out;
  ForEachField<R>([&](const auto& field) {
    if (field.Has(flag)) out.push_back(field.name);
  });
  return out;
}

// Whether the file has every column of the fields that have `flag`.
template <class R>
bool HasAll(const CellReader& r, unsigned flag) {
  bool all = true;
  ForEachField<R>([&](const auto& field) {
    if (field.Has(flag)) all = all && r.Has(field.name);
  });
  return all;
}

// Reads row i's fields of R in table order, but those with any of the `skip` flags; dates must
// parse. The first error wins.
template <class R>
Status ReadFields(const CellReader& r, std::size_t i, R& record, unsigned skip) {
  Status st = OkStatus();
  ForEachField<R>([&](const auto& field) {
    if (!st.ok() || field.Has(skip)) return;
    st = r.Read(i, field.name, record.*field.member);
    if constexpr (std::is_same_v<typename std::decay_t<decltype(field)>::Type, std::string>) {
      if (st.ok() && field.spec.format == FieldFormat::kDate) {
        if (auto day = ParseDate(record.*field.member); !day.ok()) {
          st = r.Fail(i, field.name, day.error().message);
        }
      }
    }
  });
  return st;
}

}  // namespace

std::string FormatDouble(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

TsvTable UsersToTsv(std::span<const UserData> users) {
  TsvTable t;
  t.header = Header<User>();
  t.header.emplace_back(kPeopleAgeField);
  std::int64_t id = 0;
  for (const UserData& d : users) {
    std::string ages;
    for (std::size_t i = 0; i < d.people_age.size(); ++i) {
      if (i) ages += ',';
      ages += std::to_string(d.people_age[i]);
    }
    t.rows.push_back(Cells(d.user, ++id));
    t.rows.back().push_back(std::move(ages));
  }
  return t;
}

TsvTable LocationsToTsv(std::span<const Location> locations) {
  TsvTable t;
  t.header = Header<Location>();
  std::int64_t id = 0;
  for (const Location& l : locations) t.rows.push_back(Cells(l, ++id));
  return t;
}

Result<std::vector<User>> ParseUsersTsv(const TsvTable& table, std::string_view source) {
  CellReader r(table, source);
  MLPROD_RETURN_IF_ERROR(r.Require(RequiredColumns<User>(kStoreAssigned | kFromAges)));
  const bool has_ids = r.Has("user_id");
  // The reference's file has people_age and none of the derived age columns.
  bool any_age_column = false;
  ForEachField<User>([&](const auto& field) {
    if (field.Has(kFromAges)) any_age_column = any_age_column || r.Has(field.name);
  });
  const bool ages_from_list = r.Has(kPeopleAgeField) && !any_age_column;
  if (!ages_from_list) {
    MLPROD_RETURN_IF_ERROR(r.Require(ColumnsWith<User>(kFromAges)));
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
    MLPROD_RETURN_IF_ERROR(ReadFields(r, i, u, kStoreAssigned | (ages_from_list ? kFromAges : 0u)));
    if (ages_from_list) {
      std::string cell;
      MLPROD_RETURN_IF_ERROR(r.Read(i, kPeopleAgeField, cell));
      auto ages = ParseAgeList(cell);
      if (!ages.ok()) return r.Fail(i, kPeopleAgeField, ages.error().message);
      const int people_num = u.people_num;  // the file's count wins over the ages'
      SetAges(u, *ages);
      u.people_num = people_num;
    }
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<Location>> ParseLocationsTsv(const TsvTable& table, std::string_view source) {
  CellReader r(table, source);
  MLPROD_RETURN_IF_ERROR(r.Require(RequiredColumns<Location>(kStoreAssigned | kCoordinate)));
  const bool has_ids = r.Has("location_id");
  const bool has_coordinates = HasAll<Location>(r, kCoordinate);
  std::vector<Location> out;
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    Location l;
    l.location_id = static_cast<std::int64_t>(i) + 1;
    if (has_ids) MLPROD_READ(r, i, l, location_id);
    if (l.location_id < 1 || !ids.insert(l.location_id).second) {
      return r.Fail(i, "location_id", "must be a unique positive id");
    }
    MLPROD_RETURN_IF_ERROR(
        ReadFields(r, i, l, kStoreAssigned | (has_coordinates ? 0u : kCoordinate)));
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
