// Training and model-registry routes: /train/start, /train/status/{task_id}, /models.
#include "api/api_service.h"
#include "api/errors.h"
#include "api/json_mapping.h"
#include "api/validation.h"
#include "store/model_state.h"

namespace mlprod::api {
namespace {

Response Unauthorized() {
  Response r = DetailResponse(401, "Not authenticated");
  r.www_authenticate = true;
  return r;
}

Response ModelAnswer(const usecases::ModelDetails& d) {
  nlohmann::json body = ModelJson(d.model, d.feedback);
  body["transitions"] = TransitionsJson(d.transitions);
  return JsonResponse(body);
}

}  // namespace

ApiService::StatusLookup ApiService::LookupTrainingStatus(const std::string& task_id) {
  auto found = training_.Status(task_id);
  if (!found.ok()) return {ErrorResponse(found.error()), false};
  if (!found->found) return {DetailResponse(404, "Task not found"), false};
  const std::string name(TaskStateName(found->state));
  nlohmann::json body = TaskStatusJson(task_id, name, "training");
  if (found->model) {
    body["state"] = found->model->status;
    body["reason"] = found->model->reason;
  }
  return {JsonResponse(body), IsReady(found->state), name};
}

void ApiService::RegisterTraining(Router& router) {
  router.Add(
      Verb::post, "/train/start",
      [this](const Request& r) {
        if (!Authorized(r)) return Unauthorized();
        auto started = training_.Start("queued by POST /train/start");
        if (!started.ok()) return ErrorResponse(started.error());
        if (const auto& m = started->already) {
          const bool running = m->state() == store::ModelState::kTraining;
          nlohmann::json body =
              TaskStatusJson(m->task_id, running ? "STARTED" : "PENDING", "training");
          body["state"] = m->status;
          body["reason"] = m->reason;
          return JsonResponse(body);
        }
        return JsonResponse(TaskStatusJson(started->task_id, "PENDING", "training"));
      },
      Exec::kBlocking);

  router.AddAsync(Verb::get, "/train/status/{task_id}", [this](const Request& r) {
    return StatusWithWait(
        r, [this](const std::string& id, RowRead) { return LookupTrainingStatus(id); }, nullptr);
  });

  router.Add(
      Verb::get, "/models",
      [this](const Request&) {
        auto models = training_.List();
        if (!models.ok()) return ErrorResponse(models.error());
        nlohmann::json out = nlohmann::json::array();
        for (const auto& [m, feedback] : *models) out.push_back(ModelJson(m, feedback));
        return JsonResponse(out);
      },
      Exec::kBlocking);

  router.Add(
      Verb::get, "/models/{task_id}",
      [this](const Request& r) {
        auto details = training_.Details(std::string(r.params[0]));
        if (!details.ok()) return ErrorResponse(details.error());
        if (!details->has_value()) return DetailResponse(404, "Model not found");
        return ModelAnswer(**details);
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
        auto done = training_.SetTraffic(std::string(r.params[0]), *share);
        if (!done.ok()) return ErrorResponse(done.error());
        switch (done->refused) {
          case usecases::OverrideRefusal::kNotFound:
            return DetailResponse(404, done->message);
          case usecases::OverrideRefusal::kRefused:
            return DetailResponse(409, done->message);
          case usecases::OverrideRefusal::kNone:
            break;
        }
        return ModelAnswer(*done->details);
      },
      Exec::kBlocking);
}

}  // namespace mlprod::api
