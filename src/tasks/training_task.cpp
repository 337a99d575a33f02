#include "tasks/training_task.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "ml/model_io.h"
#include "tasks/promotion_policy.h"

namespace mlprod::tasks {
namespace {

store::Metrics5 ToStore(const ml::Metrics& m) {
  return store::Metrics5{m.acc, m.auc, m.pre, m.rec, m.f1};
}

nlohmann::json MetricsJson(const ml::Metrics& m) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  return {{"acc", num(m.acc)},
          {"pre", num(m.pre)},
          {"rec", num(m.rec)},
          {"f1", num(m.f1)},
          {"auc", num(m.auc)}};
}

Status NeedBothClasses(const ml::Dataset& d, const char* split) {
  const auto pos = d.positives();
  if (pos == 0 || pos == d.rows()) {
    return MakeError(ErrorCode::kConflict,
                     std::string("the ") + split + " split has " + std::to_string(d.rows()) +
                         " rows but only one class (" + std::to_string(pos) +
                         " picks): more users must pick or skip results before training");
  }
  return OkStatus();
}

}  // namespace

std::int64_t TrainRowCount(std::int64_t n, const TrainingOptions& options) {
  if (n >= options.newest_results) return options.train_rows;
  auto rows = n * options.train_rows / options.newest_results;
  return std::min(rows, n - 1);
}

TrainingTask::TrainingTask(store::Store& store, ModelPool& models, TrainingOptions options)
    : store_(store), models_(models), options_(std::move(options)) {}

Result<nlohmann::json> TrainingTask::Run(const queue::TaskMessage& message) {
  std::lock_guard lock(run_mu_);
  const std::string& task_id = message.id;
  const auto path = options_.models_dir / task_id;
  // The API writes the row (pending) before publishing; a Celery client may not have: then the
  // row is made here. An existing row keeps its state (RegisterModel never changes it).
  store::ModelRow row;
  row.task_id = task_id;
  row.status = std::string(store::ModelStateName(store::ModelState::kPending));
  row.path = path.string();
  row.reason = "training task received";
  MLPROD_RETURN_IF_ERROR(store_.RegisterModel(row));
  MLPROD_RETURN_IF_ERROR(store_.TransitionModel({.model_id = task_id,
                                                 .from = store::ModelState::kPending,
                                                 .to = store::ModelState::kTraining,
                                                 .reason = "training started"}));
  auto result = Train(task_id, path);
  if (!result.ok()) {
    spdlog::error("training {} failed: {}", task_id, result.error().message);
    // Only a model still training fails here: after training→candidate the error came from
    // the decision or the pool refresh, and the state already says where the model stands.
    auto st = store_.TransitionModel({.model_id = task_id,
                                      .from = store::ModelState::kTraining,
                                      .to = store::ModelState::kFailed,
                                      .reason = result.error().message});
    if (!st.ok() && st.error().code != ErrorCode::kConflict) {
      spdlog::error("training {}: cannot record failure: {}", task_id, st.error().message);
    }
  }
  return result;
}

Result<nlohmann::json> TrainingTask::Train(const std::string& task_id,
                                           const std::filesystem::path& path) {
  const auto started = std::chrono::steady_clock::now();
  MLPROD_RETURN_IF_ERROR(models_.RefreshIfOlderThan(std::chrono::seconds(0)));
  auto old = models_.Primary();
  if (!old.ok()) return old.error();

  auto rows = store_.NewestShownResults(options_.newest_results);
  if (!rows.ok()) return rows.error();
  const auto n = static_cast<std::int64_t>(rows->size());
  if (n < options_.min_rows) {
    return MakeError(ErrorCode::kConflict, "not enough shown results to train: have " +
                                               std::to_string(n) + ", need at least " +
                                               std::to_string(options_.min_rows));
  }
  std::vector<ml::LabelledExample> examples;
  std::vector<std::int64_t> result_ids;
  examples.reserve(rows->size());
  result_ids.reserve(rows->size());
  for (auto& r : *rows) {
    result_ids.push_back(r.result_id);
    examples.push_back(ml::LabelledExample{std::move(r.user), std::move(r.location), r.label});
  }
  auto dataset = ml::DatasetFromExamples(examples);
  if (!dataset.ok()) return dataset.error();
  const auto n_train = TrainRowCount(n, options_);
  const auto train = ml::SliceRows(*dataset, 0, n_train);
  const auto test = ml::SliceRows(*dataset, n_train, n);
  MLPROD_RETURN_IF_ERROR(NeedBothClasses(train, "training"));
  MLPROD_RETURN_IF_ERROR(NeedBothClasses(test, "test"));
  MLPROD_RETURN_IF_ERROR(store_.RecordDataset(task_id, result_ids));

  spdlog::info("training {}: {} train rows ({} picks), {} test rows ({} picks)", task_id,
               train.rows(), train.positives(), test.rows(), test.positives());
  auto model = ml::TrainAndEvaluate(train, test, options_.train);
  if (!model.ok()) return model.error();
  // Old and new on exactly the same test rows.
  const OfflineComparison comparison{.old_model_id = old->model_id,
                                     .new_model_id = task_id,
                                     .old_test = ml::Evaluate(*old->scorer->model(), test),
                                     .new_test = model->metadata().test,
                                     .train_rows = train.rows(),
                                     .test_rows = test.rows()};
  const ml::Metrics& old_test = comparison.old_test;
  const ml::Metrics& new_test = comparison.new_test;
  const nlohmann::json offline = OfflineEvidence(comparison);

  MLPROD_RETURN_IF_ERROR(ml::SaveModel(*model, path));
  MLPROD_RETURN_IF_ERROR(
      store_.TransitionModel({.model_id = task_id,
                              .from = store::ModelState::kTraining,
                              .to = store::ModelState::kCandidate,
                              .reason = "trained and evaluated offline",
                              .evidence = nlohmann::json{{"offline", offline}}.dump(),
                              .train = ToStore(model->metadata().train),
                              .test = ToStore(new_test)}));
  const PromotionDecision decision = DecidePromotion(comparison);
  const bool promote = decision.to == store::ModelState::kPromoted;
  MLPROD_RETURN_IF_ERROR(store_.TransitionModel(
      {.model_id = task_id,
       .from = store::ModelState::kCandidate,
       .to = decision.to,
       .reason = decision.reason,
       .evidence = nlohmann::json{{"offline", offline}, {"decision", decision.reason}}.dump()}));
  if (promote) MLPROD_RETURN_IF_ERROR(models_.Refresh());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("training {}: new test auc {:.4f} vs old {} {:.4f}: {} ({:.2f} s)", task_id,
               new_test.auc, old->model_id, old_test.auc, promote ? "promoted" : "kept old model",
               seconds);
  nlohmann::json old_json = MetricsJson(old_test);
  old_json["model_id"] = old->model_id;
  return nlohmann::json{{"model_id", task_id},
                        {"promoted", promote},
                        {"state", store::ModelStateName(decision.to)},
                        {"reason", decision.reason},
                        {"train_rows", train.rows()},
                        {"test_rows", test.rows()},
                        {"new", MetricsJson(new_test)},
                        {"old", std::move(old_json)},
                        {"seconds", seconds}};
}

}  // namespace mlprod::tasks
