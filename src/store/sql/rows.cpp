#include "store/sql/rows.h"

#include <cmath>

namespace mlprod::store {

void ResultReader::Bind(Query& q) {
  q.Into(id).Into(task_id).Into(user_id).Into(location_id).Into(score).Into(label).Into(shown);
  q.Into(model_id).Into(propensity).Into(explored);
  location.Bind(q);
}

ResultRow ResultReader::Get() const {
  ResultRow r;
  r.result_id = id;
  r.task_id = task_id;
  r.user_id = user_id;
  r.location_id = location_id;
  r.score = score;
  r.label = label;
  r.shown = shown != 0;
  r.model_id = model_id;
  r.propensity = propensity;
  r.explored = explored != 0;
  r.location = location.Get();
  return r;
}

void InferenceReader::Bind(Query& q) {
  q.Into(task_id).Into(time_creation).Into(time_get, get_ind).Into(time_update, update_ind);
  q.Into(user_id).Into(status);
}

InferenceRow InferenceReader::Get() const {
  InferenceRow i;
  i.task_id = task_id;
  i.time_creation = NormalizeTimestamp(time_creation);
  i.time_get = get_ind == soci::i_ok ? NormalizeTimestamp(time_get) : "";
  i.time_update = update_ind == soci::i_ok ? NormalizeTimestamp(time_update) : "";
  i.user_id = user_id;
  i.status = ParseTaskState(status).value_or(TaskState::kPending);
  return i;
}

void MetricsReader::Bind(Query& q) {
  for (int i = 0; i < 5; ++i) q.Into(v[i], ind[i]);
}

Metrics5 MetricsReader::Get() const {
  std::optional<double> out[5];
  for (int i = 0; i < 5; ++i) {
    if (ind[i] == soci::i_ok) out[i] = v[i];
  }
  return Metrics5{out[0], out[1], out[2], out[3], out[4]};
}

MetricsWriter::MetricsWriter(const Metrics5& m) {
  const std::optional<double>* in[5] = {&m.acc, &m.auc, &m.pre, &m.rec, &m.f1};
  for (int i = 0; i < 5; ++i) {
    const bool set = in[i]->has_value() && std::isfinite(**in[i]);
    v[i] = set ? **in[i] : 0.0;
    ind[i] = set ? soci::i_ok : soci::i_null;
  }
}

void MetricsWriter::Bind(Query& q) {
  for (int i = 0; i < 5; ++i) q.Use(v[i], ind[i]);
}

void ModelReader::Bind(Query& q) {
  q.Into(row.task_id).Into(row.time_creation).Into(row.status).Into(row.path);
  q.Into(row.use_percentage);
  train.Bind(q);
  test.Bind(q);
  q.Into(row.reason).Into(row.evidence).Into(row.registered_reason);
}

ModelRow ModelReader::Get() const {
  ModelRow m = row;
  m.time_creation = NormalizeTimestamp(m.time_creation);
  m.train = train.Get();
  m.test = test.Get();
  return m;
}

void TransitionReader::Bind(Query& q) {
  q.Into(id).Into(row.model_id).Into(row.time).Into(row.from_state).Into(row.to_state);
  q.Into(row.reason).Into(row.evidence).Into(manual);
}

ModelTransitionRow TransitionReader::Get() const {
  ModelTransitionRow t = row;
  t.transition_id = id;
  t.time = NormalizeTimestamp(t.time);
  t.manual = manual != 0;
  return t;
}

}  // namespace mlprod::store
