#include "usecases/training_cases.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "ml/model_io.h"
#include "store/model_state.h"
#include "tasks/queue_training.h"

namespace mlprod::usecases {
namespace {

// The task state a model's lifecycle state implies, for a result backend that has no entry.
TaskState TaskStateOf(store::ModelState s) {
  switch (s) {
    case store::ModelState::kPending:
      return TaskState::kPending;
    case store::ModelState::kTraining:
      return TaskState::kStarted;
    case store::ModelState::kFailed:
      return TaskState::kFailure;
    default:
      return TaskState::kSuccess;
  }
}

// Why the model may not be given traffic ("" when it may): trained (not pending, training or
// failed) and its folder loads.
std::string RefuseServing(const store::ModelRow& m, const std::filesystem::path& data_dir) {
  const auto state = m.state();
  if (!state || !store::StateMayServe(*state)) {
    return "Model " + m.task_id + " is " + m.status + ": only a trained model can be given traffic";
  }
  if (auto loaded = ml::LoadModel(ml::ResolveModelFolder(data_dir, m.path)); !loaded.ok()) {
    spdlog::warn("api: model {} refused traffic: its folder {} does not load: {}", m.task_id,
                 m.path, loaded.error().message);
    return "Model " + m.task_id + " cannot be given traffic: its folder does not load (" +
           std::string(ErrorCodeName(loaded.error().code)) + ")";
  }
  return "";
}

// Why model_id's traffic may not be taken away ("" when it may): it would leave no active model
// that loads, and every inference task would then wait for a model (requeued for ever) until an
// operator gives one traffic again.
Result<std::string> RefuseLastActive(store::ModelRegistry& store,
                                     const std::filesystem::path& data_dir,
                                     const std::string& model_id) {
  auto active = store.ActiveModels();
  if (!active.ok()) return active.error();
  const bool was_active =
      std::any_of(active->begin(), active->end(),
                  [&](const store::ModelRow& m) { return m.task_id == model_id; });
  const bool others = std::any_of(active->begin(), active->end(), [&](const store::ModelRow& m) {
    return m.task_id != model_id && ml::LoadModel(ml::ResolveModelFolder(data_dir, m.path)).ok();
  });
  if (!was_active || others) return std::string();
  return "Model " + model_id +
         " is the only active model that loads: with use_percentage 0 no model would serve "
         "inference; give another model traffic first";
}

// The manual transition a traffic override records (docs/ml.md): share 1.0 promotes; a partial
// share makes a candidate a canary and keeps a canary or promoted model's state; share 0 takes
// a promoted model to retired and a canary to rolled_back. nullopt: only the share changes.
std::optional<store::ModelState> OverrideTarget(store::ModelState from, double share) {
  using S = store::ModelState;
  if (share >= 1.0) return from == S::kPromoted ? std::nullopt : std::optional(S::kPromoted);
  if (share > 0) return from == S::kCandidate ? std::optional(S::kCanary) : std::nullopt;
  if (from == S::kPromoted) return S::kRetired;
  if (from == S::kCanary) return S::kRolledBack;
  return std::nullopt;
}

OverrideResult Refused(OverrideRefusal why, std::string message) {
  return OverrideResult{why, std::move(message), std::nullopt};
}

}  // namespace

TrainingCases::TrainingCases(TrainingCasesDeps deps)
    : deps_(std::move(deps)), origin_(tasks::ProcessOrigin()) {}

Result<TrainingStart> TrainingCases::Start(const std::string& reason) {
  // One training at a time: while one is queued or running, a repeated start answers with that
  // one (the reference queues another every time).
  MutexLock one_at_a_time(start_mu_);
  auto running = tasks::TrainingInProgress(deps_.store);
  if (!running.ok()) return running.error();
  if (running->has_value()) {
    const store::ModelRow& m = **running;
    spdlog::info("api: training {} is already {}; not queueing another", m.task_id, m.status);
    return TrainingStart{m.task_id, m};
  }
  queue::TaskMessage task = tasks::NewTaskMessage(deps_.task_name, origin_);
  MLPROD_RETURN_IF_ERROR(tasks::QueueTraining(deps_.store, deps_.broker, task, reason));
  spdlog::info("api: training task {} queued", task.id);
  return TrainingStart{task.id, std::nullopt};
}

Result<TrainingStatus> TrainingCases::Status(const std::string& task_id) {
  auto result = deps_.backend.Get(task_id);
  if (!result.ok()) return result.error();
  // The API writes the model row before publishing, so a queued task is known to the store.
  auto model = deps_.store.GetModel(task_id);
  if (!model.ok()) return model.error();
  TrainingStatus out;
  out.state = result->state;
  if (out.state == TaskState::kPending) {
    if (!model->has_value()) return TrainingStatus{.found = false};
    if (auto s = (*model)->state()) out.state = TaskStateOf(*s);
  }
  out.model = std::move(*model);
  return out;
}

Result<ModelDetails> TrainingCases::Details(store::ModelRow model) {
  auto live = deps_.store.GetModelFeedback(model.task_id);
  if (!live.ok()) return live.error();
  auto transitions = deps_.store.ListModelTransitions(model.task_id);
  if (!transitions.ok()) return transitions.error();
  return ModelDetails{std::move(model), *live, std::move(transitions).value()};
}

Result<std::optional<ModelDetails>> TrainingCases::Details(const std::string& model_id) {
  auto model = deps_.store.GetModel(model_id);
  if (!model.ok()) return model.error();
  if (!model->has_value()) return std::optional<ModelDetails>();
  auto details = Details(std::move(**model));
  if (!details.ok()) return details.error();
  return std::optional(std::move(details).value());
}

Result<std::vector<std::pair<store::ModelRow, store::ModelFeedback>>> TrainingCases::List() {
  auto models = deps_.store.ListModels();
  if (!models.ok()) return models.error();
  auto live = deps_.store.ListModelFeedback();
  if (!live.ok()) return live.error();
  std::vector<std::pair<store::ModelRow, store::ModelFeedback>> out;
  out.reserve(models->size());
  for (auto& m : *models) {
    auto it = live->find(m.task_id);
    store::ModelFeedback feedback = it != live->end() ? it->second : store::ModelFeedback{};
    out.emplace_back(std::move(m), feedback);
  }
  return out;
}

Result<OverrideResult> TrainingCases::SetTraffic(const std::string& model_id, double share) {
  auto model = deps_.store.GetModel(model_id);
  if (!model.ok()) return model.error();
  if (!model->has_value()) return Refused(OverrideRefusal::kNotFound, "Model not found");
  const store::ModelRow& m = **model;
  if (std::string why = RefuseServing(m, deps_.data_dir); !why.empty()) {
    return Refused(OverrideRefusal::kRefused, std::move(why));
  }
  if (share == 0) {
    auto last = RefuseLastActive(deps_.store, deps_.data_dir, model_id);
    if (!last.ok()) return last.error();
    if (!last->empty()) return Refused(OverrideRefusal::kRefused, std::move(last).value());
  }
  const store::ModelState from = *m.state();
  const auto to = OverrideTarget(from, share);
  const std::string reason = "manual override: use_percentage " + std::to_string(share);
  if (to && !store::TransitionAllowed(from, *to, /*manual=*/true)) {
    return Refused(OverrideRefusal::kRefused, "Model " + model_id + " is " + m.status +
                                                  ": it cannot become " +
                                                  std::string(store::ModelStateName(*to)));
  }
  if (to) {
    mlprod::Status moved = deps_.store.TransitionModel({.model_id = model_id,
                                                        .from = from,
                                                        .to = *to,
                                                        .reason = reason,
                                                        .manual = true,
                                                        .use_percentage = share});
    if (!moved.ok()) {
      if (moved.error().code == ErrorCode::kConflict) {
        return Refused(OverrideRefusal::kRefused, moved.error().message);
      }
      return moved.error();
    }
  } else if (auto set = deps_.store.SetModelUsePercentage(model_id, share); !set.ok()) {
    return set.error();
  }
  spdlog::info("api: model {} ({} -> {}) use_percentage set to {}", model_id, m.status,
               to ? store::ModelStateName(*to) : m.status, share);
  auto after = Details(model_id);
  if (!after.ok()) return after.error();
  if (!after->has_value()) return Refused(OverrideRefusal::kNotFound, "Model not found");
  return OverrideResult{OverrideRefusal::kNone, "", std::move(**after)};
}

}  // namespace mlprod::usecases
