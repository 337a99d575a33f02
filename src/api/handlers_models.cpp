// Training and model-registry routes: /train/start, /train/status/{task_id}, /models.
#include <spdlog/spdlog.h>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/json_mapping.h"
#include "api/validation.h"
#include "common/uuid.h"

namespace mlprod::api {
namespace {

Response Unauthorized() {
  Response r = DetailResponse(401, "Not authenticated");
  r.www_authenticate = true;
  return r;
}

}  // namespace

ApiService::StatusLookup ApiService::LookupTrainingStatus(const std::string& task_id) {
  auto result = deps_.backend.Get(task_id);
  if (!result.ok()) return {ErrorResponse(result.error()), false};
  const std::string state(queue::TaskStateName(result->state));
  return {JsonResponse(TaskStatusJson(task_id, state, "training")), queue::IsReady(result->state),
          state};
}

Response ApiService::ModelAnswer(const store::ModelRow& model) {
  auto live = deps_.store.GetModelFeedback(model.task_id);
  if (!live.ok()) return ErrorResponse(live.error());
  return JsonResponse(ModelJson(model, *live));
}

void ApiService::RegisterTraining(Router& router) {
  router.Add(
      Verb::post, "/train/start",
      [this](const Request& r) {
        if (!Authorized(r)) return Unauthorized();
        queue::TaskMessage task = NewTask(queue::kTrainingTask);
        // As the reference does: the model row exists (PENDING) from the start, so
        // GET /models shows queued training runs.
        store::ModelRow row;
        row.task_id = task.id;
        row.status = "PENDING";
        if (auto st = deps_.store.RegisterModel(row); !st.ok()) return ErrorResponse(st.error());
        if (auto published = deps_.broker.Publish(task); !published.ok()) {
          spdlog::error("api: publishing training {} failed: {}", task.id,
                        published.error().message);
          row.status = "FAILED";
          (void)deps_.store.RegisterModel(row);
          return ErrorResponse(
              MakeError(ErrorCode::kUnavailable, "Task queue unavailable, try again later"));
        }
        spdlog::info("api: training task {} queued", task.id);
        return JsonResponse(TaskStatusJson(task.id, "PENDING", "training"));
      },
      Exec::kBlocking);

  router.AddAsync(Verb::get, "/train/status/{task_id}", [this](const Request& r) {
    return StatusWithWait(
        r, [this](const std::string& id, bool) { return LookupTrainingStatus(id); }, nullptr);
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
        if (auto set = deps_.store.SetModelUsePercentage(task_id, *share); !set.ok()) {
          return ErrorResponse(set.error());
        }
        spdlog::info("api: model {} use_percentage set to {}", task_id, *share);
        model = deps_.store.GetModel(task_id);
        if (!model.ok()) return ErrorResponse(model.error());
        if (!model->has_value()) return DetailResponse(404, "Model not found");
        return ModelAnswer(**model);
      },
      Exec::kBlocking);
}

}  // namespace mlprod::api
