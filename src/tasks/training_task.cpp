#include "tasks/training_task.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "common/uuid.h"
#include "ml/model_io.h"

namespace mlprod::tasks {
namespace {

store::Metrics5 ToStore(const ml::Metrics& m) {
  return store::Metrics5{m.acc, m.auc, m.pre, m.rec, m.f1};
}

// Fisher-Yates over the labels with a fixed seed (the test switch's bad candidate).
void ShuffleLabels(ml::Dataset& d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::size_t i = d.y.size(); i > 1; --i) {
    std::swap(d.y[i - 1], d.y[std::uniform_int_distribution<std::size_t>(0, i - 1)(rng)]);
  }
}

// A run allocates its data set, the preprocessing and the bootstrap samples (~30 MiB at the
// default window) on the training lane's thread, whose malloc arena keeps what is freed: without
// giving it back, a serving process stays ~30 MiB larger after its first training for good.
void GiveBackFreedMemory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace

TrainingTask::TrainingTask(store::Store& store, ModelPool& models, TrainingOptions options)
    : store_(store), models_(models), options_(std::move(options)) {}

Result<nlohmann::json> TrainingTask::Run(const queue::TaskMessage& message) {
  MutexLock lock(run_mu_);
  const std::string& task_id = message.id;
  // The id names the new model's folder: from the broker it is untrusted, so only a UUID is
  // accepted ("../x", an absolute path or "baseline" would write outside models_dir/<uuid>).
  // Refused before anything is written (no row, no folder).
  if (!IsUuid(task_id)) {
    spdlog::error("training task refused: its id is not a UUID, so it cannot name a model folder");
    return MakeError(ErrorCode::kInvalidArgument,
                     "training task id must be a UUID (8-4-4-4-12 hex digits): it names the "
                     "model folder");
  }
  const auto path = options_.models_dir / task_id;
  // The API writes the row (pending) before publishing; a Celery client may not have: then the
  // row is made here. An existing row keeps its state (RegisterModel never changes it).
  store::ModelRow row;
  row.task_id = task_id;
  row.status = std::string(store::ModelStateName(store::ModelState::kPending));
  // Stored relative to the data dir (models_dir's parent), so a moved data dir keeps it.
  row.path = ml::StoredModelFolder(options_.models_dir.parent_path(), path);
  row.reason = "training task received";
  MLPROD_RETURN_IF_ERROR(store_.RegisterModel(row));
  MLPROD_RETURN_IF_ERROR(store_.TransitionModel({.model_id = task_id,
                                                 .from = store::ModelState::kPending,
                                                 .to = store::ModelState::kTraining,
                                                 .reason = "training started"}));
  auto result = Train(task_id, path);
  GiveBackFreedMemory();
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
  const auto started = options_.clock->SteadyNow();
  MLPROD_RETURN_IF_ERROR(models_.RefreshIfOlderThan(std::chrono::seconds(0)));
  auto old = models_.Primary();
  if (!old.ok()) return old.error();

  auto reference = LoadReferenceData(options_.reference_data, options_.reference_test_fraction);
  if (!reference.ok()) return reference.error();
  auto explored = store_.NewestExploredResults(options_.data.newest_explored);
  if (!explored.ok()) return explored.error();
  auto data = BuildTrainingData(
      std::move(explored).value(),
      [this] { return store_.NewestShownResults(options_.data.newest_results); }, *reference,
      options_.data);
  if (!data.ok()) return data.error();
  if (options_.test_shuffle_labels) {
    spdlog::warn("training {}: TEST SWITCH: training labels shuffled", task_id);
    ShuffleLabels(data->train, options_.train.seed);
  }
  MLPROD_RETURN_IF_ERROR(store_.RecordDataset(task_id, data->result_ids));

  // The store's share of the run, apart from the model's (which grows with the rows read, not
  // with the history stored): what docs/benchmarks.md compares across history sizes.
  const double read_seconds =
      std::chrono::duration<double>(options_.clock->SteadyNow() - started).count();
  spdlog::info(
      "training {}: {} ({} live rows, {} reference rows, read in {:.2f} s); gate on {} {} holdout "
      "rows",
      task_id, data->evidence["source"].get<std::string>(), data->live_train_rows,
      reference->train.rows(), read_seconds, data->holdout.rows(), data->holdout_name);
  // Test metrics are the gate's holdout's, so the registry shows the figures the decision used.
  auto model = ml::TrainAndEvaluate(data->train, data->holdout, options_.train);
  if (!model.ok()) return model.error();
  const ml::Model& current = *old->scorer->model();
  GateOptions gate_options = options_.gate;
  gate_options.holdout_name = data->holdout_name;
  const GateDecision gate =
      OfflineGate(current, old->model_id, *model, data->holdout, data->groups, gate_options);
  nlohmann::json offline = {{"gate", gate.evidence}, {"data", data->evidence}};
  if (data->shown_test) {
    offline["shown"] = OfflineEvidence({.old_model_id = old->model_id,
                                        .new_model_id = task_id,
                                        .old_test = ml::Evaluate(current, *data->shown_test),
                                        .new_test = ml::Evaluate(*model, *data->shown_test),
                                        .train_rows = data->live_train_rows,
                                        .test_rows = data->shown_test->rows()});
  }
  const nlohmann::json evidence = {{"offline", offline}};

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
      std::chrono::duration<double>(options_.clock->SteadyNow() - started).count();
  spdlog::info("training {}: {}: {} ({:.2f} s)", task_id, store::ModelStateName(decision.to),
               decision.reason, seconds);
  nlohmann::json out = {{"model_id", task_id},       {"state", store::ModelStateName(decision.to)},
                        {"reason", decision.reason}, {"train_rows", data->train.rows()},
                        {"gate", gate.evidence},     {"data", data->evidence},
                        {"seconds", seconds}};
  if (offline.contains("shown")) out["shown"] = offline["shown"];
  return out;
}

}  // namespace mlprod::tasks
