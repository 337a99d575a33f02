// Column lists and fetch targets for each table, so every query reads a table the same way
// (users u, locations l, results r, inferences i, models m are the aliases every query uses).
// Not the SQL of the operations. One reader per Query; not thread-safe.
#pragma once

#include <soci/soci.h>

#include <string>

#include "common/records.h"
#include "store/sql/query.h"
#include "store/types.h"

namespace mlprod::store {

// SOCI has no bool exchange: booleans travel as 0/1 ints (PostgreSQL accepts '1'/'0' as boolean
// input and SOCI reads 't'/'f' back as 1/0).
struct UserReader {
  static constexpr const char* kColumns =
      "u.user_id, u.creation_time, u.name, u.people_num, u.children_num, u.age_avg, u.age_std, "
      "u.age_min, u.age_max, u.budget, u.nights, u.time_arrival, u.pool, u.spa, "
      "u.pet_friendly, u.lake, u.mountain, u.sport";
  long long id = 0;
  std::string creation_time, name, time_arrival;
  soci::indicator arrival_ind = soci::i_ok;
  int people_num = 0, children_num = 0, nights = 0;
  double age_avg = 0, age_std = 0, age_min = 0, age_max = 0, budget = 0;
  int pool = 0, spa = 0, pet_friendly = 0, lake = 0, mountain = 0, sport = 0;

  void Bind(Query& q);
  User Get() const;
};

struct LocationReader {
  static constexpr const char* kColumns =
      "l.location_id, l.creation_time, COALESCE(l.lat, 0), COALESCE(l.lon, 0), l.children, "
      "l.breakfast, l.lunch, l.dinner, l.price, l.has_pool, l.has_spa, l.animals, l.near_lake, "
      "l.near_mountains, l.has_sport, l.family_rating, l.outdoor_rating, l.food_rating, "
      "l.leisure_rating, l.service_rating, l.user_score";
  long long id = 0;
  std::string creation_time;
  double lat = 0, lon = 0, price = 0;
  int children = 0, breakfast = 0, lunch = 0, dinner = 0;
  int has_pool = 0, has_spa = 0, animals = 0, near_lake = 0, near_mountains = 0, has_sport = 0;
  double family = 0, outdoor = 0, food = 0, leisure = 0, service = 0, user_score = 0;

  void Bind(Query& q);
  Location Get() const;
};

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
