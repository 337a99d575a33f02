#include "usecases/inference_cases.h"

#include <spdlog/spdlog.h>

#include "common/log.h"
#include "tasks/inference_task.h"
#include "tasks/queue_training.h"

namespace mlprod::usecases {

InferenceCases::InferenceCases(InferenceCasesDeps deps)
    : deps_(std::move(deps)),
      origin_(tasks::ProcessOrigin()),
      tracker_(deps_.metrics),
      gate_(deps_.broker, deps_.max_queue, deps_.metrics, *deps_.clock) {}

Result<StartedInference> InferenceCases::Start(const User& user) {
  if (gate_.Full()) return StartedInference{StartOutcome::kQueueFull, ""};
  queue::TaskMessage task = tasks::NewTaskMessage(deps_.task_name, origin_);
  auto user_id = deps_.store.StartInference(user, task.id);
  if (!user_id.ok()) return user_id.error();
  task.args = nlohmann::json::array({*user_id});
  if (auto published = deps_.broker.Publish(task); !published.ok()) {
    // The inference row exists but no worker will ever see it: record it as failed so clients
    // polling it get an answer instead of PENDING forever.
    spdlog::error("api: publishing inference {} failed: {}", task.id, published.error().message);
    // Best effort: when the store fails too, the sweeper republishes the PENDING row.
    IgnoreError("api: recording FAILURE after a failed publish",
                deps_.store.UpdateInferenceStatus(task.id, TaskState::kFailure));
    return StartedInference{StartOutcome::kQueueDown, task.id};
  }
  tracker_.Started(task.id, deps_.clock->SteadyNow());
  return StartedInference{StartOutcome::kStarted, task.id};
}

Result<InferenceStatus> InferenceCases::Status(const std::string& task_id, RowRead read) {
  auto result = deps_.backend.Get(task_id);
  if (!result.ok()) return result.error();
  // An inference this process started and has not seen ready yet has a row (written before
  // publishing): a final state needs no read to prove it, and the first lookup of a long poll
  // defers the read while the task runs.
  if (read != RowRead::kKnown && tracker_.Pending(task_id)) {
    if (IsReady(result->state)) {
      read = RowRead::kKnown;
    } else if (read == RowRead::kDeferrable) {
      InferenceStatus deferred;
      deferred.state = result->state;
      deferred.deferred = true;
      return deferred;
    }
  }
  std::optional<store::InferenceRow> row;
  // The row proves the task is ours (not found otherwise); a long poll that found it before
  // and now sees a final state needs no second read.
  if (read != RowRead::kKnown || !IsReady(result->state)) {
    auto found = deps_.store.GetInference(task_id);
    if (!found.ok()) return found.error();
    if (!found->has_value()) return InferenceStatus{.found = false};
    row = std::move(*found);
  }
  InferenceStatus out;
  out.state = result->state;
  // The database is the durable record: when the result backend forgot a finished task (a
  // Redis restart without persistence, an expired entry), its row still knows the outcome.
  if (out.state == TaskState::kPending && IsReady(row->status)) out.state = row->status;
  out.ready = IsReady(out.state);
  if (out.ready) tracker_.SeenReady(task_id);
  // Without the row (a long poll's final read) only mlprod's SUCCESS is known to be recorded:
  // its worker commits the row before it stores the result. A reference worker's result is
  // null and its row stays PENDING until the API records the status, as the reference's does.
  out.recorded =
      row ? row->status == out.state
          : out.state == TaskState::kSuccess && tasks::IsInferenceTaskResult(result->result);
  return out;
}

mlprod::Status InferenceCases::RecordStatus(const std::string& task_id, TaskState state) {
  return deps_.store.UpdateInferenceStatus(task_id, state);
}

Result<std::optional<std::vector<store::ResultRow>>> InferenceCases::Results(
    const std::string& task_id, int limit) {
  auto rows = deps_.store.TopResults(task_id, limit);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) {
    // No results yet, or no such task: only the second needs the inference row.
    auto row = deps_.store.GetInference(task_id);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return std::optional<std::vector<store::ResultRow>>();
  } else {
    tracker_.SeenReady(task_id);
  }
  return std::optional(std::move(rows).value());
}

Result<Answered> InferenceCases::Answer(const std::string& task_id, long long location_id) {
  if (location_id == -1) {
    auto rejected = deps_.store.RejectResults(task_id);
    if (!rejected.ok()) return rejected.error();
    return Answered{.found = true, .row = std::nullopt, .feedback = *rejected};
  }
  auto selected = deps_.store.SelectResult(task_id, location_id);
  if (!selected.ok()) return selected.error();
  if (!selected->has_value()) return Answered{};
  return Answered{.found = true, .row = (*selected)->row, .feedback = (*selected)->feedback};
}

}  // namespace mlprod::usecases
