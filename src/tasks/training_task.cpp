#include "tasks/training_task.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "ml/model_io.h"

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
  store::ModelRow row;
  row.task_id = task_id;
  row.status = "TRAINING";
  row.path = path.string();
  MLPROD_RETURN_IF_ERROR(store_.RegisterModel(row));
  auto result = Train(task_id, path);
  if (!result.ok()) {
    row.status = "FAILED";
    if (auto st = store_.RegisterModel(row); !st.ok()) {
      spdlog::error("training {}: cannot record failure: {}", task_id, st.error().message);
    }
    spdlog::error("training {} failed: {}", task_id, result.error().message);
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
  const ml::Metrics old_test = ml::Evaluate(*old->scorer->model(), test);
  const ml::Metrics& new_test = model->metadata().test;
  const bool promote =
      std::isfinite(new_test.auc) && (!std::isfinite(old_test.auc) || new_test.auc > old_test.auc);

  MLPROD_RETURN_IF_ERROR(ml::SaveModel(*model, path));
  store::ModelRow row;
  row.task_id = task_id;
  row.status = "SUCCESS";
  row.path = path.string();
  row.use_percentage = 0;
  row.train = ToStore(model->metadata().train);
  row.test = ToStore(new_test);
  MLPROD_RETURN_IF_ERROR(store_.RegisterModel(row));
  if (promote) {
    MLPROD_RETURN_IF_ERROR(store_.PromoteModel(task_id));
    MLPROD_RETURN_IF_ERROR(models_.Refresh());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("training {}: new test auc {:.4f} vs old {} {:.4f}: {} ({:.2f} s)", task_id,
               new_test.auc, old->model_id, old_test.auc, promote ? "promoted" : "kept old model",
               seconds);
  nlohmann::json old_json = MetricsJson(old_test);
  old_json["model_id"] = old->model_id;
  return nlohmann::json{
      {"model_id", task_id},      {"promoted", promote},          {"train_rows", train.rows()},
      {"test_rows", test.rows()}, {"new", MetricsJson(new_test)}, {"old", std::move(old_json)},
      {"seconds", seconds}};
}

}  // namespace mlprod::tasks
