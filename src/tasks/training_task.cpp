#include "tasks/training_task.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "ml/model_io.h"

namespace mlprod::tasks {
namespace {

store::Metrics5 ToStore(const ml::Metrics& m) {
  return store::Metrics5{m.acc, m.auc, m.pre, m.rec, m.f1};
}

ml::Dataset Concat(const ml::Dataset& a, const ml::Dataset& b) {
  ml::Dataset out;
  out.x.resize(a.rows() + b.rows(), Eigen::NoChange);
  out.x.topRows(a.rows()) = a.x;
  out.x.bottomRows(b.rows()) = b.x;
  out.y = a.y;
  out.y.insert(out.y.end(), b.y.begin(), b.y.end());
  return out;
}

// Fisher-Yates over the labels with a fixed seed (the test switch's bad candidate).
void ShuffleLabels(ml::Dataset& d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::size_t i = d.y.size(); i > 1; --i) {
    std::swap(d.y[i - 1], d.y[std::uniform_int_distribution<std::size_t>(0, i - 1)(rng)]);
  }
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
  const auto shown_train = ml::SliceRows(*dataset, 0, n_train);
  const auto shown_test = ml::SliceRows(*dataset, n_train, n);
  MLPROD_RETURN_IF_ERROR(NeedBothClasses(shown_train, "training"));
  MLPROD_RETURN_IF_ERROR(NeedBothClasses(shown_test, "test"));
  auto reference = LoadReferenceData(options_.reference_data, options_.reference_test_fraction);
  if (!reference.ok()) return reference.error();
  ml::Dataset train = Concat(shown_train, reference->train);
  if (options_.test_shuffle_labels) {
    spdlog::warn("training {}: TEST SWITCH: training labels shuffled", task_id);
    ShuffleLabels(train, options_.train.seed);
  }
  MLPROD_RETURN_IF_ERROR(store_.RecordDataset(task_id, result_ids));

  spdlog::info(
      "training {}: {} shown rows ({} picks) + {} reference rows ({} picks); gate on {} "
      "reference holdout rows",
      task_id, shown_train.rows(), shown_train.positives(), reference->train.rows(),
      reference->train.positives(), reference->holdout.rows());
  // Test metrics are the holdout's: the same rows the baseline's test metrics come from, so the
  // registry's figures compare.
  auto model = ml::TrainAndEvaluate(train, reference->holdout, options_.train);
  if (!model.ok()) return model.error();
  const ml::Model& current = *old->scorer->model();
  const GateDecision gate = OfflineGate(current, old->model_id, *model, reference->holdout);
  const nlohmann::json shown = OfflineEvidence({.old_model_id = old->model_id,
                                                .new_model_id = task_id,
                                                .old_test = ml::Evaluate(current, shown_test),
                                                .new_test = ml::Evaluate(*model, shown_test),
                                                .train_rows = shown_train.rows(),
                                                .test_rows = shown_test.rows()});
  const nlohmann::json evidence = {{"offline", {{"gate", gate.evidence}, {"shown", shown}}}};

  MLPROD_RETURN_IF_ERROR(ml::SaveModel(*model, path));
  MLPROD_RETURN_IF_ERROR(store_.TransitionModel({.model_id = task_id,
                                                 .from = store::ModelState::kTraining,
                                                 .to = store::ModelState::kCandidate,
                                                 .reason = "trained and evaluated offline",
                                                 .evidence = evidence.dump(),
                                                 .train = ToStore(model->metadata().train),
                                                 .test = ToStore(model->metadata().test)}));
  const PromotionDecision decision = DecidePromotion(gate, options_.promotion);
  MLPROD_RETURN_IF_ERROR(store_.TransitionModel({.model_id = task_id,
                                                 .from = store::ModelState::kCandidate,
                                                 .to = decision.to,
                                                 .reason = decision.reason,
                                                 .evidence = evidence.dump(),
                                                 .use_percentage = decision.use_percentage}));
  if (decision.to != store::ModelState::kRejected) MLPROD_RETURN_IF_ERROR(models_.Refresh());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("training {}: {}: {} ({:.2f} s)", task_id, store::ModelStateName(decision.to),
               decision.reason, seconds);
  return nlohmann::json{{"model_id", task_id},       {"state", store::ModelStateName(decision.to)},
                        {"reason", decision.reason}, {"train_rows", train.rows()},
                        {"gate", gate.evidence},     {"shown", shown},
                        {"seconds", seconds}};
}

}  // namespace mlprod::tasks
