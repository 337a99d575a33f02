// SqlStore: the model registry (training results, promotion, traffic split).
#include <cmath>

#include "store/query.h"
#include "store/rows.h"
#include "store/sql_store.h"

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
  return Write("register model", [&](soci::session& s) {
    const std::string created = model.time_creation.empty() ? NowIso() : model.time_creation;
    const Metrics5& a = model.train;
    const Metrics5& b = model.test;
    // time_creation stays as first registered: re-registering updates status and metrics only.
    Query(s,
          "INSERT INTO models (task_id, time_creation, status, path, use_percentage, train_acc, "
          "train_auc, train_pre, train_rec, train_f1, test_acc, test_auc, test_pre, test_rec, "
          "test_f1) VALUES (:id, :ct, :st, :p, :u, :a1, :a2, :a3, :a4, :a5, :b1, :b2, :b3, :b4, "
          ":b5) ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, path = "
          "excluded.path, use_percentage = excluded.use_percentage, train_acc = "
          "excluded.train_acc, train_auc = excluded.train_auc, train_pre = excluded.train_pre, "
          "train_rec = excluded.train_rec, train_f1 = excluded.train_f1, test_acc = "
          "excluded.test_acc, test_auc = excluded.test_auc, test_pre = excluded.test_pre, "
          "test_rec = excluded.test_rec, test_f1 = excluded.test_f1")
        .Use(model.task_id)
        .Use(created)
        .Use(model.status)
        .Use(model.path)
        .Use(model.use_percentage)
        .Use(a.acc)
        .Use(a.auc)
        .Use(a.pre)
        .Use(a.rec)
        .Use(a.f1)
        .Use(b.acc)
        .Use(b.auc)
        .Use(b.pre)
        .Use(b.rec)
        .Use(b.f1)
        .Run();
    return OkStatus();
  });
}

Result<std::optional<ModelRow>> SqlStore::GetModel(const std::string& task_id) {
  std::optional<ModelRow> out;
  Status st = Read("get model", [&](soci::session& s) {
    ModelReader r;
    Query q(s, ModelSelect() + " WHERE m.task_id = :t");
    q.Use(task_id);
    r.Bind(q);
    if (q.Run()) out = r.Get();
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

Result<std::vector<ModelRow>> SqlStore::ListModels() {
  std::vector<ModelRow> out;
  Status st = Read("list models", [&](soci::session& s) {
    ModelReader r;
    Query q(s, ModelSelect() + " ORDER BY m.time_creation DESC, m.task_id DESC");
    r.Bind(q);
    for (bool row = q.Run(); row; row = q.Next()) out.push_back(r.Get());
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

Result<std::vector<ModelRow>> SqlStore::ActiveModels() {
  std::vector<ModelRow> out;
  Status st = Read("active models", [&](soci::session& s) {
    ModelReader r;
    Query q(s, ModelSelect() +
                   " WHERE m.use_percentage > 0 ORDER BY m.time_creation DESC, m.task_id DESC");
    r.Bind(q);
    for (bool row = q.Run(); row; row = q.Next()) out.push_back(r.Get());
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

Status SqlStore::PromoteModel(const std::string& task_id) {
  return Write("promote model", [&](soci::session& s) -> Status {
    // Two promotions at once must still leave exactly one model at 1.0.
    if (*dialect_.lock_models != '\0') Exec(s, dialect_.lock_models);
    Query promote(s,
                  "UPDATE models SET use_percentage = 1.0, status = 'promoted' WHERE task_id = :t");
    promote.Use(task_id).Run();
    if (promote.AffectedRows() == 0) return NoModel(task_id);
    Query(s, "UPDATE models SET use_percentage = 0.0 WHERE task_id <> :t").Use(task_id).Run();
    return OkStatus();
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

}  // namespace mlprod::store
