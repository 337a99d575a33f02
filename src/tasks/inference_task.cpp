#include "tasks/inference_task.h"

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/log.h"
#include "tasks/exploration.h"
#include "tasks/interleave.h"

namespace mlprod::tasks {

bool IsInferenceTaskResult(const nlohmann::json& result) {
  return result.is_object() && result.contains("model_id") && result.contains("results");
}

InferenceTask::InferenceTask(store::Store& store, ModelPool& models, drift::DriftMonitor* drift,
                             ExploreOptions explore)
    : store_(store), models_(models), drift_(drift), explore_(explore) {}

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
  // JSON has no integer limit: 2^63 and above would wrap to a negative id in get<int64_t>.
  if (arg->is_number_unsigned() &&
      arg->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    return MakeError(ErrorCode::kInvalidArgument, "inference argument user_id " + arg->dump() +
                                                      " is out of range (above 2^63-1)");
  }
  return arg->get<std::int64_t>();
}

Result<nlohmann::json> InferenceTask::Run(const queue::TaskMessage& message) {
  auto out = Score(message);
  if (!out.ok() && out.error().code != ErrorCode::kUnavailable &&
      out.error().code != ErrorCode::kDeadlineExceeded) {
    // A final state is final in the store: a SUCCESS of an earlier delivery stays. No row (a
    // Celery client's task) is nothing to record.
    Status recorded = store_.UpdateInferenceStatus(message.id, TaskState::kFailure);
    if (!recorded.ok() && recorded.error().code != ErrorCode::kNotFound) {
      IgnoreError("inference: recording FAILURE on the row", recorded);
    }
  }
  return out;
}

Result<nlohmann::json> InferenceTask::Score(const queue::TaskMessage& message) {
  auto user_id = InferenceUserId(message);
  if (!user_id.ok()) return user_id.error();
  // Other processes (distributed workers) may promote models: look again every few seconds.
  MLPROD_RETURN_IF_ERROR(models_.RefreshIfOlderThan(std::chrono::seconds(5)));
  auto user = store_.GetUser(*user_id);
  if (!user.ok()) return user.error();
  if (!user->has_value()) {
    return MakeError(ErrorCode::kNotFound, "user " + std::to_string(*user_id) + " not found");
  }
  auto assignment = models_.Assign(message.id);
  if (!assignment.ok()) return assignment.error();
  const ServingModel* model = &assignment->model;

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
  const double propensity = DeterministicPropensity(explore_.share, scored.size());
  const bool explore = Explores(message.id, explore_.share);
  if (assignment->candidate) {
    auto il = Interleave(message.id, **user, *model, *assignment->candidate, probabilities);
    if (!il.ok()) return il.error();
    if (explore) {
      MLPROD_RETURN_IF_ERROR(
          SaveExplored(message.id, *user_id, model->model_id, scored, il->ranks));
    } else {
      for (std::size_t i = 0; i < scored.size(); ++i) {
        if (il->from_candidate[i]) scored[i].score = il->candidate_scores[i];
      }
      MLPROD_RETURN_IF_ERROR(store_.SaveInterleavedResults(
          message.id, *user_id, model->model_id, scored,
          store::Interleaving{assignment->candidate->model_id, il->ranks, il->from_candidate,
                              propensity}));
    }
  } else if (explore) {
    const auto order = RankByScore(probabilities);
    std::vector<int> ranks(order.size());
    for (std::size_t pos = 0; pos < order.size(); ++pos) ranks[order[pos]] = static_cast<int>(pos);
    MLPROD_RETURN_IF_ERROR(SaveExplored(message.id, *user_id, model->model_id, scored, ranks));
  } else {
    MLPROD_RETURN_IF_ERROR(
        store_.SaveResults(message.id, *user_id, model->model_id, scored, propensity));
  }
  if (drift_ != nullptr) {
    auto primary = models_.Primary();
    const ServingModel& reference = primary.ok() ? *primary : *model;
    drift_->Observe(**user, reference.model_id, reference.scorer->model());
  }
  nlohmann::json out = {
      {"user_id", *user_id}, {"model_id", model->model_id}, {"results", scored.size()}};
  if (explore) {
    out["explored"] = true;
  } else if (assignment->candidate) {
    out["interleaved_with"] = assignment->candidate->model_id;
  }
  return out;
}

Status InferenceTask::SaveExplored(const std::string& task_id, std::int64_t user_id,
                                   const std::string& model_id,
                                   std::span<const store::ScoredLocation> scored,
                                   std::span<const int> deterministic_ranks) {
  const ExploredList list = ExploreList(task_id, explore_.share, deterministic_ranks);
  return store_.SaveExploredResults(task_id, user_id, model_id, scored,
                                    store::Exploration{list.ranks, list.propensities});
}

Result<InferenceTask::InterleavedList> InferenceTask::Interleave(
    const std::string& task_id, const User& user, const ServingModel& current,
    const ServingModel& candidate, std::span<const float> current_scores) {
  const auto& cand = *candidate.scorer;
  if (cand.location_ids() != current.scorer->location_ids()) {
    return MakeError(
        ErrorCode::kInternal,
        "canary " + candidate.model_id + " scores another location set than " + current.model_id);
  }
  InterleavedList out;
  out.candidate_scores.resize(cand.size());
  MLPROD_RETURN_IF_ERROR(cand.Score(user, out.candidate_scores));
  const auto seed = static_cast<std::uint64_t>(ModelPool::SplitPoint(task_id) * 9007199254740992.0);
  const auto list = TeamDraft(RankByScore(current_scores), RankByScore(out.candidate_scores), seed);
  out.ranks.resize(current_scores.size());
  out.from_candidate.resize(current_scores.size());
  for (std::size_t pos = 0; pos < list.size(); ++pos) {
    const auto i = static_cast<std::size_t>(list[pos].index);
    out.ranks[i] = static_cast<int>(pos);
    out.from_candidate[i] = list[pos].candidate;
  }
  return out;
}

}  // namespace mlprod::tasks
