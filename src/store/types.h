// The value types of the store's role interfaces (store.h and the role headers beside it): the
// rows of SPEC §5's tables as the store reads and writes them, and the event names. Plain data,
// no I/O; thread-compatible like any value.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/records.h"
#include "common/task_state.h"
#include "store/model_state.h"

namespace mlprod::store {

// One row of `results`, joined with its location for the API's results/select answers.
struct ResultRow {
  std::int64_t result_id = 0;
  std::string task_id;
  std::int64_t user_id = 0;
  std::int64_t location_id = 0;
  double score = 0;
  int label = 0;
  bool shown = false;
  std::string model_id;   // task id of the model that scored it ("" when unknown)
  double propensity = 1;  // that the logging policy shows it at its rank (Exploration)
  bool explored = false;  // shown in an explored (uniformly random) list
  Location location;      // filled by TopResults and Select
};

struct InferenceRow {
  std::string task_id;
  std::string time_creation;
  std::string time_get;     // empty when never read
  std::string time_update;  // empty when never updated
  std::int64_t user_id = 0;
  // The column as a state; a text that is none of Celery's states reads as PENDING.
  TaskState status = TaskState::kPending;
};

// A model's metrics on one split; nullopt when not measured (the store writes NaN as null too).
struct Metrics5 {
  std::optional<double> acc, auc, pre, rec, f1;
};

struct ModelRow {
  std::string task_id;  // the training task id; "baseline" for the first model
  std::string time_creation;
  std::string status;  // ModelStateName of its state (store/model_state.h)
  std::string path;    // model folder
  double use_percentage = 0;
  Metrics5 train;
  Metrics5 test;
  std::string reason;    // the last transition's reason ("" when none)
  std::string evidence;  // the newest evidence a transition recorded, JSON text ("" when none)
  // Read only: the reason it was registered with (who queued a training run and why), which
  // `reason` no longer shows after the next transition ("" for rows without history).
  std::string registered_reason;

  std::optional<ModelState> state() const { return ParseModelState(status); }
};

// One change of a model's state, the argument of Store::TransitionModel.
struct ModelTransition {
  std::string model_id;
  ModelState from = ModelState::kPending;
  ModelState to = ModelState::kPending;
  std::string reason;
  std::string evidence;  // JSON text, "" for none
  bool manual = false;   // an operator's override: allows the kManual transitions
  // New traffic share; when unset the share stays, except →promoted (1.0) and →failed,
  // rejected, rolled_back, retired (0.0).
  std::optional<double> use_percentage;
  // New metrics, written with the state (e.g. training→candidate); unset: unchanged.
  std::optional<Metrics5> train, test;
};

// One row of `model_transitions` (from_state "" for the row that registered the model).
struct ModelTransitionRow {
  std::int64_t transition_id = 0;
  std::string model_id;
  std::string time;
  std::string from_state;
  std::string to_state;
  std::string reason;
  std::string evidence;  // JSON text, "" for none
  bool manual = false;
};

struct UnfinishedInference {
  std::string task_id;
  std::optional<std::int64_t> user_id;  // none: the row lost its user (a task cannot run)
};

struct ScoredLocation {
  std::int64_t location_id = 0;
  double score = 0;
};

// A canary inference's list (tasks/interleave.h): the current model's and the candidate's
// rankings interleaved. Per entry of the scores: its shown position and whether the candidate
// contributed it (its score is then the candidate's). Spans as long as the scores.
struct Interleaving {
  std::string candidate_id;
  std::span<const int> ranks;
  std::span<const std::uint8_t> from_candidate;
  double propensity = 1.0;  // of every row (see Exploration); 1 without exploration
};

// An explored list (schema migration 7): shown in a uniformly random order instead of the
// model's, so its answers are unbiased labels of the live population. Per entry of the scores:
// its shown position and its propensity, the probability that the logging policy (explore with
// probability ε, else the model's order) shows that location at that position. Spans as long as
// the scores.
struct Exploration {
  std::span<const int> ranks;
  std::span<const double> propensities;
};

// The canary's live evidence: first answers to interleaved lists (schema migration 6).
struct CanaryOutcomes {
  std::int64_t candidate_wins = 0;  // the pick was the candidate's item
  std::int64_t current_wins = 0;    // the pick was the current model's item
  std::int64_t no_picks = 0;
};

// One training example: the user and location of a shown result and its label.
struct LabelledResult {
  std::int64_t result_id = 0;
  std::string task_id;  // the list it was shown in
  User user;
  Location location;
  int label = 0;
};

// Live feedback positions: -1 = "no pick", 0..9 = the pick's 0-based rank among the task's shown
// results (score desc, result_id asc, as TopResults returns them), 10 = ranked 10th or later, or
// a location that was never shown ("beyond the list").
inline constexpr int kNoPick = -1;
inline constexpr int kBeyondList = 10;
// The model_feedback key of explored lists' first answers (no model's ranking).
inline constexpr const char* kExploredFeedbackId = "explored";

// The answer one select/reject gave to a task's result list.
struct FeedbackOutcome {
  std::string model_id;    // the model that scored the task's results (or the picked row)
  int position = kNoPick;  // kNoPick, or 0..kBeyondList
  // The canary of an interleaved list ("" otherwise): its first answer counts in
  // canary_outcomes instead of model_feedback (which holds lists one model ranked alone).
  std::string canary;
  // An explored list (Exploration): its first answer counts in model_feedback under
  // kExploredFeedbackId, not for the model whose order it did not show.
  bool explored = false;
  bool counted = false;  // true only for the task's first answer (it entered model_feedback)
  // The task's first answer given again (the same pick, or "no pick" twice): nothing written.
  bool repeated = false;
};

// A pick: the updated result row and what the pick counted as.
struct Selection {
  ResultRow row;
  FeedbackOutcome feedback;
};

// Live feedback of one model: first answers per task, counted durably in `model_feedback`.
struct ModelFeedback {
  std::int64_t lists = 0;  // picks + no_picks
  std::int64_t picks = 0;  // sum of pick_positions
  std::int64_t no_picks = 0;
  std::array<std::int64_t, kBeyondList + 1> pick_positions{};  // index = position 0..10
};

// One process's input drift summary (schema migration 8), upserted by the process that runs
// inferences, read by the retraining trigger.
struct DriftReport {
  std::string source;    // the publishing process (unique per process), the row's key
  std::string model_id;  // the model the window was compared with
  double max_psi = 0;    // the largest per-feature PSI; 0 while not computed
  std::int64_t window_requests = 0;
  std::int64_t window_size = 0;    // the window's capacity: full when window_requests >= it
  std::int64_t updated_at_ms = 0;  // Unix time in ms, the publisher's clock
};

struct ContentInfo {
  std::int64_t locations = 0;
  std::int64_t users = 0;
};

// One finished loop of the past for Store::AppendHistory (`mlprod history`): what serving
// would have stored for it.
struct PastLoop {
  User user;            // user_id and creation_time are assigned by the store
  std::string task_id;  // unique
  std::string time;     // ISO-8601 UTC: the time of every row and event of the loop
  std::string model_id;
  // The stored rows in shown order (shown_rank = index), all shown.
  std::vector<ScoredLocation> shown;
  // An explored list (Exploration): one propensity per shown row; empty otherwise.
  std::vector<double> explored_propensities;
  double propensity = 1.0;  // a deterministic list's (inferences.propensity)
  bool answered = false;    // a select arrived
  int pick = -1;            // answered: the index in `shown` of the pick, -1 no pick
};

// Event names written to `events` (SPEC §5).
inline constexpr const char* kEventInferenceStart = "inference_start";
inline constexpr const char* kEventStatus = "status";
inline constexpr const char* kEventResults = "results";
inline constexpr const char* kEventSelection = "selection";
inline constexpr const char* kEventGoodInference = "good_inference";
inline constexpr const char* kEventBadInference = "bad_inference";
inline constexpr const char* kEventTraining = "training";

}  // namespace mlprod::store
