// SqlStore: the model registry (registration, reads, traffic split); state changes are in
// sql_store_transitions.cpp.
#include "store/sql/query.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

std::string ModelSelect() {
  return std::string("SELECT ") + ModelReader::kColumns + " FROM models m";
}

Error NoModel(const std::string& task_id) {
  return MakeError(ErrorCode::kNotFound, "no model with task id '" + task_id + "'");
}

}  // namespace

Status SqlStore::RegisterModel(const ModelRow& model) {
  if (model.task_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty model task id");
  if (!(model.use_percentage >= 0 && model.use_percentage <= 1)) {
    return MakeError(ErrorCode::kInvalidArgument, "use_percentage must be within [0, 1]");
  }
  if (!ParseModelState(model.status)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "model status '" + model.status + "' is not a model state");
  }
  return Write("register model", [&](soci::session& s) {
    const std::string created = model.time_creation.empty() ? NowIso() : model.time_creation;
    MetricsWriter a(model.train), b(model.test);
    soci::indicator evidence_ind = model.evidence.empty() ? soci::i_null : soci::i_ok;
    // An existing model keeps its state, share and time_creation: only path and metrics change.
    Query q(s, std::string(
                   "INSERT INTO models (task_id, time_creation, status, path, use_percentage, "
                   "reason, evidence, train_acc, train_auc, train_pre, train_rec, train_f1, "
                   "test_acc, test_auc, test_pre, test_rec, test_f1, answers_at_registration) "
                   "VALUES (:id, :ct, :st, :p, :u, :r, :e, :a1, :a2, :a3, :a4, :a5, :b1, :b2, :b3, "
                   ":b4, :b5, ") +
                   kAnswersTotal +
                   ") ON CONFLICT (task_id) DO UPDATE SET path = "
                   "excluded.path, train_acc = excluded.train_acc, train_auc = excluded.train_auc, "
                   "train_pre = excluded.train_pre, train_rec = excluded.train_rec, train_f1 = "
                   "excluded.train_f1, test_acc = excluded.test_acc, test_auc = excluded.test_auc, "
                   "test_pre = excluded.test_pre, test_rec = excluded.test_rec, test_f1 = "
                   "excluded.test_f1");
    q.Use(model.task_id).Use(created).Use(model.status).Use(model.path).Use(model.use_percentage);
    q.Use(model.reason).Use(model.evidence, evidence_ind);
    a.Bind(q);
    b.Bind(q);
    q.Run();
    // The insert made the row when no transition names it yet.
    long long known = 0;
    Query(s, "SELECT COUNT(*) FROM model_transitions WHERE model_id = :m")
        .Use(model.task_id)
        .Into(known)
        .Run();
    if (known == 0) {
      ModelTransitionRow t;
      t.model_id = model.task_id;
      t.time = created;
      t.to_state = model.status;
      t.reason = model.reason.empty() ? "registered" : model.reason;
      t.evidence = model.evidence;
      InsertTransition(s, t);
    }
    return OkStatus();
  });
}

Result<std::optional<ModelRow>> SqlStore::GetModel(const std::string& task_id) {
  return Fetch("get model", [&](soci::session& s) {
    return ReadOne<ModelReader>(s, Prepare::kEachRun, ModelSelect() + " WHERE m.task_id = :t",
                                task_id);
  });
}

Result<std::vector<ModelRow>> SqlStore::ListModels() {
  return Fetch("list models", [&](soci::session& s) {
    return ReadAll<ModelReader>(s, Prepare::kEachRun,
                                ModelSelect() + " ORDER BY m.time_creation DESC, m.task_id DESC");
  });
}

Result<std::vector<ModelRow>> SqlStore::ActiveModels() {
  return Fetch("active models", [&](soci::session& s) {
    return ReadAll<ModelReader>(
        s, Prepare::kEachRun,
        ModelSelect() +
            " WHERE m.use_percentage > 0 ORDER BY m.time_creation DESC, m.task_id DESC");
  });
}

Status SqlStore::SetModelUsePercentage(const std::string& task_id, double use_percentage) {
  if (!(use_percentage >= 0 && use_percentage <= 1)) {
    return MakeError(ErrorCode::kInvalidArgument, "use_percentage must be within [0, 1]");
  }
  return Write("set model use percentage", [&](soci::session& s) -> Status {
    Query q(s, "UPDATE models SET use_percentage = :u WHERE task_id = :t");
    q.Use(use_percentage).Use(task_id).Run();
    if (q.AffectedRows() == 0) return NoModel(task_id);
    return OkStatus();
  });
}

Status SqlStore::SetModelPath(const std::string& task_id, const std::string& path) {
  return Write("set model path", [&](soci::session& s) -> Status {
    Query q(s, "UPDATE models SET path = :p WHERE task_id = :t");
    q.Use(path).Use(task_id).Run();
    if (q.AffectedRows() == 0) return NoModel(task_id);
    return OkStatus();
  });
}

}  // namespace mlprod::store
