// When to queue a training run by itself: the pure decision over the numbers the retraining
// trigger gathers (new labels, time since the last run, fresh input drift, a run in flight).
// Not the gathering or the queuing (retrain_trigger.h). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace mlprod::tasks {

struct RetrainOptions {
  // New answered lists (picks + no picks, first answers) since the newest run. 0 = off.
  // Default: 5000
  std::int64_t labels = 5000;
  // Time since the newest run was queued. 0 = off. Default: 24 h
  std::chrono::seconds every = std::chrono::hours(24);
  // Largest per-feature PSI of a full drift window ("major shift" from 0.2 on). 0 = off.
  // Default: 0.2
  double drift_psi = 0.2;
  // No trigger sooner than this after the newest run was queued, whatever its outcome, so that
  // a failing run cannot loop. Default: 10 min
  std::chrono::seconds min_gap = std::chrono::minutes(10);
  // Drift reports older than this are ignored (their process stopped). Default: 60 s
  std::chrono::seconds drift_max_age = std::chrono::seconds(60);
};

enum class RetrainTriggerKind { kLabels, kSchedule, kDrift };
// "labels", "schedule", "drift" (the metric label).
std::string_view RetrainTriggerName(RetrainTriggerKind kind);

// The largest PSI among fresh reports of full windows.
struct DriftEvidence {
  double max_psi = 0;
  std::int64_t window = 0;
  std::string model_id;
  std::string source;
};

// The reports updated within max_age of now_ms whose window is full; the one with the largest
// PSI, or nullopt when there is none.
std::optional<DriftEvidence> StrongestDrift(const std::vector<store::DriftReport>& reports,
                                            std::int64_t now_ms, std::chrono::seconds max_age);

struct RetrainInputs {
  std::string in_flight;  // id of a model pending, training, candidate or canary ("" none)
  // Since the newest model row was registered (a queued run or the baseline).
  std::chrono::seconds since_last_run{0};
  std::int64_t new_labels = 0;
  std::optional<DriftEvidence> drift;
};

struct RetrainDecision {
  RetrainTriggerKind trigger = RetrainTriggerKind::kLabels;
  std::string reason;  // "auto: ..." with the numbers, the model row's reason
};

// nullopt while a run is in flight or within min_gap of the last one; else the first trigger
// that fires, in the order labels, drift, schedule.
std::optional<RetrainDecision> DecideRetrain(const RetrainInputs& in, const RetrainOptions& o);

}  // namespace mlprod::tasks
