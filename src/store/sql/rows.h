// Column lists and fetch targets for each table, so every query reads a table the same way
// (users u, locations l, results r, inferences i, models m are the aliases every query uses).
// Not the SQL of the operations. One reader per Query; not thread-safe.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "common/record_fields.h"
#include "common/records.h"
#include "store/sql/query.h"
#include "store/types.h"

namespace mlprod::store {

// The fetch target of one field, chosen at compile time from its type and flags. SOCI has no
// bool exchange: booleans travel as 0/1 ints (PostgreSQL accepts '1'/'0' as boolean input and
// SOCI reads 't'/'f' back as 1/0).
template <class T, unsigned kFlags, FieldFormat kFormat>
struct SqlCell {
  using Exchange = std::conditional_t<
      std::is_same_v<T, bool>, int,
      std::conditional_t<std::is_same_v<T, std::int64_t>, long long,
                         std::conditional_t<(kFlags & kSqlDouble) != 0, double, T>>>;
  Exchange value{};
  soci::indicator ind = soci::i_ok;

  void Bind(Query& q) {
    if constexpr ((kFlags & kSqlNullable) != 0) {
      q.Into(value, ind);
    } else {
      q.Into(value);
    }
  }
  // The bound value of an insert: a nullable column gets NULL for the empty string.
  void Set(const T& v) {
    value = static_cast<Exchange>(v);
    if constexpr ((kFlags & kSqlNullable) != 0) ind = v.empty() ? soci::i_null : soci::i_ok;
  }
  void Use(Query& q) {
    if constexpr ((kFlags & kSqlNullable) != 0) {
      q.Use(value, ind);
    } else {
      q.Use(value);
    }
  }
  T Get() const {
    if constexpr ((kFlags & kSqlNullable) != 0) {
      if (ind != soci::i_ok) return T{};
    }
    if constexpr (std::is_same_v<T, bool>) {
      return value != 0;
    } else if constexpr (kFormat == FieldFormat::kTimestamp) {
      return NormalizeTimestamp(value);
    } else {
      return static_cast<T>(value);
    }
  }
};

template <class R, std::size_t I>
inline constexpr auto kFieldOf = std::get<I>(RecordFields<R>::kFields);

template <class R, class Indices>
struct SqlCells;
template <class R, std::size_t... I>
struct SqlCells<R, std::index_sequence<I...>> {
  using type = std::tuple<SqlCell<typename std::remove_cvref_t<decltype(kFieldOf<R, I>)>::Type,
                                  kFieldOf<R, I>.spec.flags, kFieldOf<R, I>.spec.format>...>;
};

// The alias of R's table in every query.
template <class R>
inline constexpr std::string_view kTableAlias = "";
template <>
inline constexpr std::string_view kTableAlias<User> = "u";
template <>
inline constexpr std::string_view kTableAlias<Location> = "l";

// The select list of R's table: every column of the field table (kCoordinate ones read as 0 when
// NULL), prefixed by the table's alias.
template <class R>
std::string SelectColumns() {
  std::string out;
  ForEachField<R>([&](const auto& field) {
    if (!out.empty()) out += ", ";
    const std::string column = std::string(kTableAlias<R>) + "." + std::string(field.name);
    out += field.Has(kCoordinate) ? "COALESCE(" + column + ", 0)" : column;
  });
  return out;
}

// Reads a row of R's columns (kColumns, built once) into R: the fetch targets and the
// conversions are fixed at compile time, so a row costs no name lookups.
template <class R>
struct RecordReader {
  static inline const std::string kColumns = SelectColumns<R>();
  typename SqlCells<R, std::make_index_sequence<kNumFields<R>>>::type cells;

  void Bind(Query& q) {
    std::apply([&q](auto&... cell) { (cell.Bind(q), ...); }, cells);
  }
  R Get() const {
    R record;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((record.*kFieldOf<R, I>.member = std::get<I>(cells).Get()), ...);
    }
    (std::make_index_sequence<kNumFields<R>>());
    return record;
  }
};

// The values of an INSERT of R (every column but the id, which the store assigns; the row time
// is `time`), converted copies that must outlive the Query. kColumns lists the columns,
// kPlaceholders their placeholders.
template <class R>
struct RecordWriter {
  template <std::size_t I>
  static constexpr bool kIsId = kFieldOf<R, I>.Has(kStoreAssigned) && !kFieldOf<R, I>.Has(kRowTime);

  RecordWriter(const R& record, const std::string& time) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (SetOne<I>(record, time), ...); }
    (std::make_index_sequence<kNumFields<R>>());
  }
  void Bind(Query& q) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (UseOne<I>(q), ...); }
    (std::make_index_sequence<kNumFields<R>>());
  }
  template <std::size_t I>
  void SetOne(const R& record, const std::string& time) {
    if constexpr (kFieldOf<R, I>.Has(kRowTime)) {
      std::get<I>(cells).value = time;
    } else {
      std::get<I>(cells).Set(record.*kFieldOf<R, I>.member);
    }
  }
  template <std::size_t I>
  void UseOne(Query& q) {
    if constexpr (!kIsId<I>) std::get<I>(cells).Use(q);
  }
  static std::string List(bool placeholders) {
    std::string out;
    int n = 0;
    ForEachField<R>([&](const auto& field) {
      if (field.Has(kStoreAssigned) && !field.Has(kRowTime)) return;
      if (n > 0) out += ", ";
      out += placeholders ? ":v" + std::to_string(n) : std::string(field.name);
      ++n;
    });
    return out;
  }
  static inline const std::string kColumns = List(false);
  static inline const std::string kPlaceholders = List(true);

  typename SqlCells<R, std::make_index_sequence<kNumFields<R>>>::type cells;
};

using UserReader = RecordReader<User>;
using LocationReader = RecordReader<Location>;

// A result row with its location (join locations l).
struct ResultReader {
  // The model that ranked the row: its own model_id (a candidate's row of an interleaved list,
  // or any row stored before migration 11) or, when that is '', its list's (inferences.model_id).
  // A list's model is stored once, not on each of its rows (~37 bytes each for a UUID).
  static constexpr const char* kModel =
      "CASE WHEN r.model_id = '' THEN COALESCE(ri.model_id, '') ELSE r.model_id END";
  static inline const std::string kColumns =
      std::string(
          "r.result_id, r.task_id, COALESCE(r.user_id, 0), r.location_id, r.score, "
          "r.label, r.shown, ") +
      kModel +
      ", COALESCE(r.propensity, ri.propensity, 1.0), CASE WHEN r.explored THEN 1 ELSE 0 END";
  // The rows' model and propensity: their own or their inference's (a deterministic list).
  static constexpr const char* kJoin = "LEFT JOIN inferences ri ON ri.task_id = r.task_id";
  long long id = 0, user_id = 0, location_id = 0;
  std::string task_id, model_id;
  double score = 0, propensity = 1;
  int label = 0, shown = 0, explored = 0;
  LocationReader location;

  // Binds the result columns then the location columns: select kColumns, LocationReader::kColumns.
  void Bind(Query& q);
  ResultRow Get() const;
};

struct InferenceReader {
  static constexpr const char* kColumns =
      "i.task_id, i.time_creation, i.time_get, i.time_update, COALESCE(i.user_id, 0), i.status";
  std::string task_id, time_creation, time_get, time_update, status;
  soci::indicator get_ind = soci::i_ok, update_ind = soci::i_ok;
  long long user_id = 0;

  void Bind(Query& q);
  InferenceRow Get() const;
};

// Metric columns are nullable: a value with its indicator each.
struct MetricsReader {
  double v[5] = {0, 0, 0, 0, 0};  // acc, auc, pre, rec, f1
  soci::indicator ind[5] = {soci::i_ok, soci::i_ok, soci::i_ok, soci::i_ok, soci::i_ok};

  void Bind(Query& q);
  Metrics5 Get() const;
};

// Binds the five metrics (acc, auc, pre, rec, f1) as values, null when unset or not finite.
struct MetricsWriter {
  explicit MetricsWriter(const Metrics5& m);
  double v[5];
  soci::indicator ind[5];

  void Bind(Query& q);
};

struct ModelReader {
  static constexpr const char* kColumns =
      "m.task_id, m.time_creation, m.status, m.path, m.use_percentage, m.train_acc, m.train_auc, "
      "m.train_pre, m.train_rec, m.train_f1, m.test_acc, m.test_auc, m.test_pre, m.test_rec, "
      "m.test_f1, COALESCE(m.reason, ''), COALESCE(m.evidence, ''), "
      "COALESCE((SELECT r.reason FROM model_transitions r WHERE r.model_id = m.task_id "
      "ORDER BY r.transition_id LIMIT 1), '')";
  ModelRow row;
  MetricsReader train, test;

  void Bind(Query& q);
  ModelRow Get() const;
};

struct TransitionReader {
  static constexpr const char* kColumns =
      "t.transition_id, t.model_id, t.time, COALESCE(t.from_state, ''), t.to_state, "
      "COALESCE(t.reason, ''), COALESCE(t.evidence, ''), t.manual";
  ModelTransitionRow row;
  long long id = 0;
  int manual = 0;

  void Bind(Query& q);
  ModelTransitionRow Get() const;
};

}  // namespace mlprod::store
