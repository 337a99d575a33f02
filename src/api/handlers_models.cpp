// Training and model-registry routes: /train/start, /train/status/{task_id}, /models.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/json_mapping.h"
#include "api/validation.h"
#include "common/uuid.h"
#include "ml/model_io.h"
#include "store/model_state.h"
#include "tasks/queue_training.h"

namespace mlprod::api {
namespace {

Response Unauthorized() {
  Response r = DetailResponse(401, "Not authenticated");
  r.www_authenticate = true;
  return r;
}

// The task state a model's lifecycle state implies, for a result backend that has no entry.
queue::TaskState TaskStateOf(store::ModelState s) {
  switch (s) {
    case store::ModelState::kPending:
      return queue::TaskState::kPending;
    case store::ModelState::kTraining:
      return queue::TaskState::kStarted;
    case store::ModelState::kFailed:
      return queue::TaskState::kFailure;
    default:
      return queue::TaskState::kSuccess;
  }
}

// 409 unless the model may be given traffic: trained (not pending, training or failed) and its
// folder loads.
std::optional<Response> RefuseOverride(const store::ModelRow& m,
                                       const std::filesystem::path& data_dir) {
  const auto state = m.state();
  if (!state || !store::StateMayServe(*state)) {
    return DetailResponse(409, "Model " + m.task_id + " is " + m.status +
                                   ": only a trained model can be given traffic");
  }
  if (auto loaded = ml::LoadModel(ml::ResolveModelFolder(data_dir, m.path)); !loaded.ok()) {
    spdlog::warn("api: model {} refused traffic: its folder {} does not load: {}", m.task_id,
                 m.path, loaded.error().message);
    return DetailResponse(409, "Model " + m.task_id +
                                   " cannot be given traffic: its folder does not load (" +
                                   std::string(ErrorCodeName(loaded.error().code)) + ")");
  }
  return std::nullopt;
}

// 409 when taking model_id's traffic away would leave no active model that loads: every inference
// task would then wait for a model (requeued for ever) until an operator gives one traffic again.
Result<std::optional<Response>> RefuseLastActive(store::ModelRegistry& store,
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
  if (!was_active || others) return std::optional<Response>();
  return std::optional(DetailResponse(
      409, "Model " + model_id +
               " is the only active model that loads: with use_percentage 0 no model would "
               "serve inference; give another model traffic first"));
}

// The manual transition PUT /models/{id} records (docs/ml.md): share 1.0 promotes; a partial
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

}  // namespace

ApiService::StatusLookup ApiService::LookupTrainingStatus(const std::string& task_id) {
  auto result = deps_.backend.Get(task_id);
  if (!result.ok()) return {ErrorResponse(result.error()), false};
  // The API writes the model row before publishing, so a queued task is known to the store.
  auto model = deps_.store.GetModel(task_id);
  if (!model.ok()) return {ErrorResponse(model.error()), false};
  queue::TaskState state = result->state;
  if (state == queue::TaskState::kPending) {
    if (!model->has_value()) return {DetailResponse(404, "Task not found"), false};
    if (auto s = (*model)->state()) state = TaskStateOf(*s);
  }
  const std::string name(queue::TaskStateName(state));
  nlohmann::json body = TaskStatusJson(task_id, name, "training");
  if (model->has_value()) {
    body["state"] = (*model)->status;
    body["reason"] = (*model)->reason;
  }
  return {JsonResponse(body), queue::IsReady(state), name};
}

Response ApiService::ModelAnswer(const store::ModelRow& model) {
  auto live = deps_.store.GetModelFeedback(model.task_id);
  if (!live.ok()) return ErrorResponse(live.error());
  auto transitions = deps_.store.ListModelTransitions(model.task_id);
  if (!transitions.ok()) return ErrorResponse(transitions.error());
  nlohmann::json body = ModelJson(model, *live);
  body["transitions"] = TransitionsJson(*transitions);
  return JsonResponse(body);
}

void ApiService::RegisterTraining(Router& router) {
  router.Add(
      Verb::post, "/train/start",
      [this](const Request& r) {
        if (!Authorized(r)) return Unauthorized();
        // One training at a time: while one is queued or running, a repeated start answers
        // with that one (the reference queues another every time). Serialised in this process;
        // API processes sharing a store may still race each other into a second one.
        MutexLock one_at_a_time(train_start_mu_);
        auto running = tasks::TrainingInProgress(deps_.store);
        if (!running.ok()) return ErrorResponse(running.error());
        if (running->has_value()) {
          const store::ModelRow& m = **running;
          const bool started = m.state() == store::ModelState::kTraining;
          nlohmann::json body =
              TaskStatusJson(m.task_id, started ? "STARTED" : "PENDING", "training");
          body["state"] = m.status;
          body["reason"] = m.reason;
          spdlog::info("api: training {} is already {}; not queueing another", m.task_id, m.status);
          return JsonResponse(body);
        }
        queue::TaskMessage task = NewTask(deps_.task_names.training);
        if (auto st = tasks::QueueTraining(deps_.store, deps_.broker, task,
                                           "queued by POST /train/start");
            !st.ok()) {
          return ErrorResponse(st.error());
        }
        spdlog::info("api: training task {} queued", task.id);
        return JsonResponse(TaskStatusJson(task.id, "PENDING", "training"));
      },
      Exec::kBlocking);

  router.AddAsync(Verb::get, "/train/status/{task_id}", [this](const Request& r) {
    return StatusWithWait(
        r, [this](const std::string& id, RowRead) { return LookupTrainingStatus(id); }, nullptr);
  });

  router.Add(
      Verb::get, "/models",
      [this](const Request&) {
        auto models = deps_.store.ListModels();
        if (!models.ok()) return ErrorResponse(models.error());
        auto live = deps_.store.ListModelFeedback();
        if (!live.ok()) return ErrorResponse(live.error());
        nlohmann::json out = nlohmann::json::array();
        for (const auto& m : *models) {
          auto it = live->find(m.task_id);
          out.push_back(ModelJson(m, it != live->end() ? it->second : store::ModelFeedback{}));
        }
        return JsonResponse(out);
      },
      Exec::kBlocking);

  router.Add(
      Verb::get, "/models/{task_id}",
      [this](const Request& r) {
        auto model = deps_.store.GetModel(std::string(r.params[0]));
        if (!model.ok()) return ErrorResponse(model.error());
        if (!model->has_value()) return DetailResponse(404, "Model not found");
        return ModelAnswer(**model);
      },
      Exec::kBlocking);

  router.Add(
      Verb::put, "/models/{task_id}",
      [this](const Request& r) {
        if (!Authorized(r)) return Unauthorized();
        if (!JsonBodyAllowed(r)) return UnsupportedMediaType();
        std::vector<ValidationIssue> issues;
        Checker check(issues);
        auto obj = check.ParseObject(r.body);
        if (!obj) return ValidationResponse(issues);
        std::optional<double> share;
        if (auto* v = check.Field(*obj, "use_percentage")) {
          share = check.Number(*v, {"body", "use_percentage"}, 0, 1, /*min_exclusive=*/false);
        }
        if (!share) return ValidationResponse(issues);
        const std::string task_id(r.params[0]);
        auto model = deps_.store.GetModel(task_id);
        if (!model.ok()) return ErrorResponse(model.error());
        if (!model->has_value()) return DetailResponse(404, "Model not found");
        if (auto refused = RefuseOverride(**model, deps_.data_dir)) return *refused;
        if (*share == 0) {
          auto refused = RefuseLastActive(deps_.store, deps_.data_dir, task_id);
          if (!refused.ok()) return ErrorResponse(refused.error());
          if (*refused) return **refused;
        }
        const store::ModelState from = *(*model)->state();
        const auto to = OverrideTarget(from, *share);
        const std::string reason = "manual override: use_percentage " + std::to_string(*share);
        if (to && !store::TransitionAllowed(from, *to, /*manual=*/true)) {
          return DetailResponse(409, "Model " + task_id + " is " + (*model)->status +
                                         ": it cannot become " +
                                         std::string(store::ModelStateName(*to)));
        }
        if (to) {
          Status moved = deps_.store.TransitionModel({.model_id = task_id,
                                                      .from = from,
                                                      .to = *to,
                                                      .reason = reason,
                                                      .manual = true,
                                                      .use_percentage = *share});
          if (!moved.ok()) {
            if (moved.error().code == ErrorCode::kConflict) {
              return DetailResponse(409, moved.error().message);
            }
            return ErrorResponse(moved.error());
          }
        } else if (auto set = deps_.store.SetModelUsePercentage(task_id, *share); !set.ok()) {
          return ErrorResponse(set.error());
        }
        spdlog::info("api: model {} ({} -> {}) use_percentage set to {}", task_id, (*model)->status,
                     to ? store::ModelStateName(*to) : (*model)->status, *share);
        model = deps_.store.GetModel(task_id);
        if (!model.ok()) return ErrorResponse(model.error());
        if (!model->has_value()) return DetailResponse(404, "Model not found");
        return ModelAnswer(**model);
      },
      Exec::kBlocking);
}

}  // namespace mlprod::api
