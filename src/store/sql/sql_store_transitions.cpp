// SqlStore: the model lifecycle's one owner (TransitionModel), its history and the promotion
// helper built on it.
#include <vector>

#include "store/sql/query.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace mlprod::store {
namespace {

Error NoModel(const std::string& task_id) {
  return MakeError(ErrorCode::kNotFound, "no model with task id '" + task_id + "'");
}

// The share a transition leaves when the caller does not name one (nullopt: unchanged).
std::optional<double> DefaultShare(ModelState to) {
  switch (to) {
    case ModelState::kPromoted:
      return 1.0;
    case ModelState::kFailed:
    case ModelState::kRejected:
    case ModelState::kRolledBack:
    case ModelState::kRetired:
      return 0.0;
    default:
      return std::nullopt;
  }
}

}  // namespace

void SqlStore::InsertTransition(soci::session& s, const ModelTransitionRow& row) {
  soci::indicator evidence_ind = row.evidence.empty() ? soci::i_null : soci::i_ok;
  const int manual = row.manual ? 1 : 0;
  Query(s,
        "INSERT INTO model_transitions (model_id, time, from_state, to_state, reason, evidence, "
        "manual) VALUES (:m, :t, :f, :to, :r, :e, :man)")
      .Use(row.model_id)
      .Use(row.time)
      .Use(row.from_state)
      .Use(row.to_state)
      .Use(row.reason)
      .Use(row.evidence, evidence_ind)
      .Use(manual)
      .Run();
}

Status SqlStore::TransitionIn(soci::session& s, const ModelTransition& t) {
  const std::string from(ModelStateName(t.from));
  const std::string to(ModelStateName(t.to));
  if (!TransitionAllowed(t.from, t.to, t.manual)) {
    const bool manual_only = TransitionKindOf(t.from, t.to) == TransitionKind::kManual;
    return MakeError(ErrorCode::kInvalidArgument,
                     "model transition " + from + " -> " + to +
                         (manual_only ? " is a manual override only" : " is not allowed"));
  }
  const std::optional<double> share = t.use_percentage ? t.use_percentage : DefaultShare(t.to);
  if (share && !(*share >= 0 && *share <= 1)) {
    return MakeError(ErrorCode::kInvalidArgument, "use_percentage must be within [0, 1]");
  }
  // Two promotions at once must still leave exactly one promoted model.
  if (t.to == ModelState::kPromoted && *dialect_.lock_models != '\0') {
    Exec(s, dialect_.lock_models);
  }
  const std::string now = NowIso();
  std::string sql =
      "UPDATE models SET status = :to, reason = :r, evidence = COALESCE(:e, evidence)";
  if (share) sql += ", use_percentage = :u";
  if (t.train) {
    sql += ", train_acc = :a1, train_auc = :a2, train_pre = :a3, train_rec = :a4, train_f1 = :a5";
  }
  if (t.test) {
    sql += ", test_acc = :b1, test_auc = :b2, test_pre = :b3, test_rec = :b4, test_f1 = :b5";
  }
  sql += " WHERE task_id = :id AND status = :from";
  soci::indicator evidence_ind = t.evidence.empty() ? soci::i_null : soci::i_ok;
  MetricsWriter a(t.train.value_or(Metrics5{})), b(t.test.value_or(Metrics5{}));
  Query update(s, sql);
  update.Use(to).Use(t.reason).Use(t.evidence, evidence_ind);
  if (share) update.Use(*share);
  if (t.train) a.Bind(update);
  if (t.test) b.Bind(update);
  update.Use(t.model_id).Use(from).Run();
  if (update.AffectedRows() == 0) {
    std::string current;
    soci::indicator ind = soci::i_ok;
    Query q(s, "SELECT status FROM models WHERE task_id = :id");
    q.Use(t.model_id).Into(current, ind);
    if (!q.Run()) return NoModel(t.model_id);
    return MakeError(ErrorCode::kConflict, "model '" + t.model_id + "' is " + current + ", not " +
                                               from + ": cannot move it to " + to);
  }
  InsertTransition(s, {.model_id = t.model_id,
                       .time = now,
                       .from_state = from,
                       .to_state = to,
                       .reason = t.reason,
                       .evidence = t.evidence,
                       .manual = t.manual});
  if (t.to != ModelState::kPromoted) return OkStatus();

  // The previous primary model(s) retire, with their own transition rows.
  std::vector<std::string> retiring;
  {
    std::string id;
    Query q(s, "SELECT task_id FROM models WHERE status = 'promoted' AND task_id <> :id");
    q.Use(t.model_id).Into(id);
    for (bool row = q.Run(); row; row = q.Next()) retiring.push_back(id);
  }
  const std::string retire_reason = "replaced by promoted model " + t.model_id;
  for (const std::string& id : retiring) {
    Query(s,
          "UPDATE models SET status = 'retired', use_percentage = 0, reason = :r "
          "WHERE task_id = :id")
        .Use(retire_reason)
        .Use(id)
        .Run();
    InsertTransition(s, {.model_id = id,
                         .time = now,
                         .from_state = "promoted",
                         .to_state = "retired",
                         .reason = retire_reason,
                         .manual = t.manual});
  }
  if (share && *share >= 1.0) {
    Query(s, "UPDATE models SET use_percentage = 0 WHERE task_id <> :id AND use_percentage <> 0")
        .Use(t.model_id)
        .Run();
  }
  return OkStatus();
}

Status SqlStore::TransitionModel(const ModelTransition& t) {
  return Write("transition model", [&](soci::session& s) -> Status { return TransitionIn(s, t); });
}

Result<std::vector<ModelTransitionRow>> SqlStore::ListModelTransitions(const std::string& task_id) {
  return Fetch("list model transitions", [&](soci::session& s) {
    return ReadAll<TransitionReader>(
        s, Prepare::kEachRun,
        std::string("SELECT ") + TransitionReader::kColumns +
            " FROM model_transitions t WHERE t.model_id = :m ORDER BY t.transition_id",
        task_id);
  });
}

Status SqlStore::PromoteModel(const std::string& task_id) {
  return Write("promote model", [&](soci::session& s) -> Status {
    if (*dialect_.lock_models != '\0') Exec(s, dialect_.lock_models);
    std::string current;
    Query q(s, "SELECT status FROM models WHERE task_id = :id");
    q.Use(task_id).Into(current);
    if (!q.Run()) return NoModel(task_id);
    const auto state = ParseModelState(current);
    if (!state) {
      return MakeError(ErrorCode::kInternal,
                       "model '" + task_id + "' has an unknown status '" + current + "'");
    }
    if (*state == ModelState::kPromoted) {
      Query(s, "UPDATE models SET use_percentage = CASE WHEN task_id = :id THEN 1 ELSE 0 END")
          .Use(task_id)
          .Run();
      return OkStatus();
    }
    if (!TransitionAllowed(*state, ModelState::kPromoted, /*manual=*/true)) {
      return MakeError(ErrorCode::kConflict,
                       "model '" + task_id + "' is " + current + ": it cannot be promoted");
    }
    return TransitionIn(
        s, {.model_id = task_id,
            .from = *state,
            .to = ModelState::kPromoted,
            .reason = "promoted",
            .manual = TransitionKindOf(*state, ModelState::kPromoted) == TransitionKind::kManual});
  });
}

}  // namespace mlprod::store
