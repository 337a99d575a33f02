#include "tasks/inference_task.h"

#include <chrono>
#include <vector>

namespace mlprod::tasks {

InferenceTask::InferenceTask(store::Store& store, ModelPool& models, drift::DriftMonitor* drift)
    : store_(store), models_(models), drift_(drift) {}

Result<std::int64_t> InferenceUserId(const queue::TaskMessage& message) {
  const nlohmann::json* arg = nullptr;
  if (message.args.is_array() && message.args.size() == 1) {
    arg = &message.args[0];
  } else if (message.kwargs.is_object() && message.kwargs.contains("user_id")) {
    arg = &message.kwargs["user_id"];
  }
  if (arg == nullptr || !arg->is_number_integer()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "inference expects one integer argument user_id, got args=" +
                         message.args.dump() + " kwargs=" + message.kwargs.dump());
  }
  return arg->get<std::int64_t>();
}

Result<nlohmann::json> InferenceTask::Run(const queue::TaskMessage& message) {
  auto user_id = InferenceUserId(message);
  if (!user_id.ok()) return user_id.error();
  // Other processes (distributed workers) may promote models: look again every few seconds.
  MLPROD_RETURN_IF_ERROR(models_.RefreshIfOlderThan(std::chrono::seconds(5)));
  auto user = store_.GetUser(*user_id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) {
    return MakeError(ErrorCode::kNotFound, "user " + std::to_string(*user_id) + " not found");
  }
  auto model = models_.Pick(message.id);
  if (!model.ok()) return model.error();

  // Per-thread buffers: the hot path allocates only when the location count grows.
  thread_local std::vector<float> probabilities;
  thread_local std::vector<store::ScoredLocation> scored;
  const auto& scorer = *model->scorer;
  probabilities.resize(scorer.size());
  MLPROD_RETURN_IF_ERROR(scorer.Score(**user, probabilities));
  scored.resize(scorer.size());
  const auto& ids = scorer.location_ids();
  for (std::size_t i = 0; i < scorer.size(); ++i) {
    scored[i] = store::ScoredLocation{ids[i], static_cast<double>(probabilities[i])};
  }
  MLPROD_RETURN_IF_ERROR(store_.SaveResults(message.id, *user_id, model->model_id, scored));
  if (drift_ != nullptr) {
    auto primary = models_.Primary();
    const ServingModel& reference = primary.ok() ? *primary : *model;
    drift_->Observe(**user, reference.model_id, reference.scorer->model());
  }
  return nlohmann::json{
      {"user_id", *user_id}, {"model_id", model->model_id}, {"results", scored.size()}};
}

}  // namespace mlprod::tasks
