#include "tasks/retrain_rule.h"

#include <spdlog/fmt/fmt.h>

namespace mlprod::tasks {

std::string_view RetrainTriggerName(RetrainTriggerKind kind) {
  switch (kind) {
    case RetrainTriggerKind::kLabels:
      return "labels";
    case RetrainTriggerKind::kSchedule:
      return "schedule";
    case RetrainTriggerKind::kDrift:
      return "drift";
  }
  return "unknown";
}

std::optional<DriftEvidence> StrongestDrift(const std::vector<store::DriftReport>& reports,
                                            std::int64_t now_ms, std::chrono::seconds max_age) {
  const std::int64_t oldest =
      now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(max_age).count();
  std::optional<DriftEvidence> best;
  for (const store::DriftReport& r : reports) {
    if (r.updated_at_ms < oldest || r.window_size <= 0 || r.window_requests < r.window_size) {
      continue;
    }
    if (!best || r.max_psi > best->max_psi) {
      best = DriftEvidence{r.max_psi, r.window_requests, r.model_id, r.source};
    }
  }
  return best;
}

std::optional<RetrainDecision> DecideRetrain(const RetrainInputs& in, const RetrainOptions& o) {
  if (!in.in_flight.empty() || in.since_last_run < o.min_gap) return std::nullopt;
  if (o.labels > 0 && in.new_labels >= o.labels) {
    return RetrainDecision{RetrainTriggerKind::kLabels,
                           fmt::format("auto: {} new labels since the last training (threshold {})",
                                       in.new_labels, o.labels)};
  }
  if (o.drift_psi > 0 && in.drift && in.drift->max_psi >= o.drift_psi) {
    return RetrainDecision{
        RetrainTriggerKind::kDrift,
        fmt::format("auto: input drift PSI {:.3f} on a full window of {} requests (threshold "
                    "{:g}, model {}, reported by {})",
                    in.drift->max_psi, in.drift->window, o.drift_psi, in.drift->model_id,
                    in.drift->source)};
  }
  if (o.every.count() > 0 && in.since_last_run >= o.every) {
    return RetrainDecision{RetrainTriggerKind::kSchedule,
                           fmt::format("auto: {} s since the last training (every {} s)",
                                       in.since_last_run.count(), o.every.count())};
  }
  return std::nullopt;
}

}  // namespace mlprod::tasks
