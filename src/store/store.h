// The relational store of SPEC §5 as one interface: users, locations, inferences, results,
// events, datasets and models. Implemented once over SOCI for SQLite (embedded) and PostgreSQL
// (distributed), so both run the same SQL. Implementations are thread-safe (connection pool);
// every multi-row change is one transaction, so a failure leaves nothing half-written.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "store/model_state.h"
#include "store/retention.h"

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
  std::string status;
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

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending schema migrations (idempotent; safe to run twice or from two processes).
  // A PostgreSQL database the reference system created is adopted in place, in one transaction
  // (store/schema_adoption.h); a database that is neither empty, nor mlprod's, nor the
  // reference's is refused with kInvalidArgument and left as it was.
  virtual Status Migrate() = 0;
  // Whether the database holds mlprod's schema at this binary's version, changing nothing; the
  // processes that do not migrate (`mlprod worker`) wait on it. kUnavailable while the database
  // is empty, holds a reference schema not yet adopted, or an older version of mlprod's (each
  // message says which process migrates it); kInvalidArgument for a foreign schema.
  virtual Status CheckSchema() = 0;
  // Cheap round trip for readiness checks.
  virtual Status Ping() = 0;
  // Readiness of writes: kUnavailable, naming the kind ("disk full", "I/O error", "read-only")
  // but no path or host, while a write of this store failed that way within the last
  // StoreOptions::write_failure_window; OK otherwise. No round trip.
  virtual Status WriteHealth() = 0;
  // Opens every pooled connection now and checks each with a round trip, so that no request
  // later waits for a connection to be opened (name lookup, TCP, authentication). Called once
  // at start-up; a connection that breaks later is reopened lazily by the call that needs it.
  virtual Status Connect() = 0;

  // --- locations ---
  // Inserts the locations when the table is empty (first start); otherwise does nothing.
  virtual Status LoadLocationsIfEmpty(std::span<const Location> locations) = 0;
  virtual Result<std::optional<Location>> GetLocation(std::int64_t location_id) = 0;
  // Locations ordered by location_id (limit < 0: all). `after`: only ids above it, a keyset
  // cursor that costs an index seek however deep the page is (an offset is walked row by row).
  virtual Result<std::vector<Location>> ListLocations(
      std::int64_t offset, std::int64_t limit,
      std::optional<std::int64_t> after = std::nullopt) = 0;

  // --- users and inferences ---
  // In one transaction: inserts the user, the inference row (status PENDING) and the
  // inference_start event. Returns the new user_id.
  virtual Result<std::int64_t> StartInference(const User& user, const std::string& task_id) = 0;
  virtual Result<std::optional<User>> GetUser(std::int64_t user_id) = 0;
  // Users ordered by user_id; `after` as for ListLocations.
  virtual Result<std::vector<User>> ListUsers(std::int64_t offset, std::int64_t limit,
                                              std::optional<std::int64_t> after = std::nullopt) = 0;
  virtual Result<std::optional<InferenceRow>> GetInference(const std::string& task_id) = 0;
  // Sets the inference status and time_update and writes a `status` event, when that changes
  // the status: a final state (SUCCESS, FAILURE, REVOKED) is final, and reporting the status a
  // row already has writes nothing (no write lock taken either), so a task polled many times
  // logs one event per change, not one per poll.
  virtual Status UpdateInferenceStatus(const std::string& task_id, const std::string& status) = 0;
  // Inferences accepted but not finished (status PENDING or STARTED), by task id after `after`
  // ("" = from the start), at most `limit`: what a process whose queue died with it (embedded
  // mode) queues again. With `older_than`: only rows neither created nor updated (a status
  // change, TouchUnfinishedInferences) since then, what the sweeper queues again; that query
  // reads the partial index of the unfinished rows (migration 12) in both dialects, so it costs
  // the few unfinished rows, not the table (without it SQLite may walk the primary key).
  virtual Result<std::vector<UnfinishedInference>> ListUnfinishedInferences(
      const std::string& after, int limit,
      std::optional<std::chrono::system_clock::time_point> older_than) = 0;
  // Sets time_update to `at` on those of `task_ids` still PENDING or STARTED (no event, no
  // status change): the sweeper's record that it queued them again.
  virtual Status TouchUnfinishedInferences(std::span<const std::string> task_ids,
                                           std::chrono::system_clock::time_point at) = 0;
  virtual Result<ContentInfo> Info() = 0;

  // --- results ---
  // In one transaction, idempotent per task id: when the task already has result rows this
  // does nothing (a redelivered task must not duplicate rows). Also sets the inference status
  // to SUCCESS.
  // `propensity` is every row's (see Exploration): 1 when nothing is explored.
  virtual Status SaveResults(const std::string& task_id, std::int64_t user_id,
                             const std::string& model_id, std::span<const ScoredLocation> scores,
                             double propensity = 1.0) = 0;
  // SaveResults for an explored list: each row records its random rank and its propensity, the
  // rows are marked explored, and so is the inference.
  virtual Status SaveExploredResults(const std::string& task_id, std::int64_t user_id,
                                     const std::string& model_id,
                                     std::span<const ScoredLocation> scores,
                                     const Exploration& exploration) = 0;
  // SaveResults for an interleaved list: each row records its rank and the model that
  // contributed it (current_id or the candidate); the inference records the candidate.
  virtual Status SaveInterleavedResults(const std::string& task_id, std::int64_t user_id,
                                        const std::string& current_id,
                                        std::span<const ScoredLocation> scores,
                                        const Interleaving& interleaving) = 0;
  // The first `limit` results of the task in shown order (by rank for an interleaved list,
  // else by score desc), joined with their locations; marks them shown, sets the inference
  // time_get, writes a `results` event.
  virtual Result<std::vector<ResultRow>> TopResults(const std::string& task_id, int limit) = 0;
  // All results of a task (debug read), or of every task when task_id is empty, ordered by
  // result_id; `after` as for ListLocations.
  virtual Result<std::vector<ResultRow>> ListResults(
      const std::string& task_id, std::int64_t offset, std::int64_t limit,
      std::optional<std::int64_t> after = std::nullopt) = 0;
  virtual Result<std::optional<ResultRow>> GetResult(std::int64_t result_id) = 0;
  // The user's pick among the task's shown results. One answer per task: the first pick or
  // "no pick" wins, decided atomically (also between processes sharing the database). The first
  // answer sets label 1 on (task_id, location_id), sets inferences.feedback to the position,
  // adds one to model_feedback (or canary_outcomes) (counted = true) and writes `selection` and
  // `good_inference` events, in one transaction; returns the row and the pick's position.
  // nullopt when there is no such result; kInvalidArgument when the row was never shown; the
  // same pick again returns the row with repeated = true and writes nothing; any other pick
  // after an answer is kConflict.
  virtual Result<std::optional<Selection>> SelectResult(const std::string& task_id,
                                                        std::int64_t location_id) = 0;
  // "No pick" (location_id -1): as the first answer, counts kNoPick for the model of the task's
  // results and writes `selection` and `bad_inference` events; again: repeated = true, nothing
  // written; after a pick: kConflict. NotFound when the task has no results.
  virtual Result<FeedbackOutcome> RejectResults(const std::string& task_id) = 0;
  // Live feedback of one model (all zero for a model without any).
  virtual Result<ModelFeedback> GetModelFeedback(const std::string& model_id) = 0;
  // First answers to the lists interleaved with this candidate (all zero when none).
  virtual Result<CanaryOutcomes> GetCanaryOutcomes(const std::string& candidate_id) = 0;
  // Live feedback of every model that has some, by model id.
  virtual Result<std::map<std::string, ModelFeedback>> ListModelFeedback() = 0;

  // Maintenance (`mlprod history`), not the serving path: writes the loops in one transaction
  // as serving would have, each with its user, its inference (SUCCESS, time_get, feedback), its
  // result rows (shown, shown_rank, the pick's label 1), its events (inference_start, results
  // and, answered, selection and good_inference or bad_inference), and the first answers added
  // to model_feedback (explored lists under kExploredFeedbackId). A task id that exists fails
  // the whole batch (kConflict).
  virtual Status AppendHistory(std::span<const PastLoop> loops) = 0;

  // --- training ---
  // The newest `limit` shown results (by result_id desc), joined with users and locations.
  virtual Result<std::vector<LabelledResult>> NewestShownResults(int limit) = 0;
  // The newest `limit` shown rows of answered explored lists, newest first.
  virtual Result<std::vector<LabelledResult>> NewestExploredResults(int limit) = 0;
  // Records which results a training task used (datasets table) and a `training` event.
  virtual Status RecordDataset(const std::string& task_id,
                               std::span<const std::int64_t> result_ids) = 0;

  // --- models ---
  // Inserts the model in the state named by model.status (a ModelStateName, else
  // kInvalidArgument) with a transition row from "" (reason: model.reason). When the task id
  // exists already, only path and metrics are updated: its state and share change only through
  // TransitionModel.
  virtual Status RegisterModel(const ModelRow& model) = 0;
  virtual Result<std::optional<ModelRow>> GetModel(const std::string& task_id) = 0;
  virtual Result<std::vector<ModelRow>> ListModels() = 0;  // newest first
  // Models with use_percentage > 0.
  virtual Result<std::vector<ModelRow>> ActiveModels() = 0;
  // The one owner of model states. In one transaction: compare-and-set of the model's state
  // from t.from to t.to (kConflict when it is not in t.from, so of two processes only one
  // succeeds; kNotFound for an unknown model; kInvalidArgument for a transition the table
  // forbids), its reason, evidence, share and metrics, and a model_transitions row. →promoted
  // also moves every other promoted model to retired (share 0, with its own transition row) and,
  // at share 1.0, sets every other model's share to 0.
  virtual Status TransitionModel(const ModelTransition& t) = 0;
  // The model's transitions, oldest first.
  virtual Result<std::vector<ModelTransitionRow>> ListModelTransitions(
      const std::string& task_id) = 0;
  // TransitionModel from the model's current state to promoted (a manual transition when the
  // table says so; kConflict from pending, training, failed). Already promoted: the share goes
  // back to 1.0 and every other model's to 0, without a transition.
  virtual Status PromoteModel(const std::string& task_id) = 0;
  // Sets a model's traffic share (A/B or canary) without changing its state, leaving the other
  // models as they are.
  virtual Status SetModelUsePercentage(const std::string& task_id, double use_percentage) = 0;
  // Points a model's row at another folder (bootstrap's repair of a moved data dir); state and
  // share stay. kNotFound for an unknown model.
  virtual Status SetModelPath(const std::string& task_id, const std::string& path) = 0;

  // --- automation (schema migration 8) ---
  // Compare-and-set on the lease `name`: holder gets it until now_ms + ttl_ms when it is free,
  // expired (expires_at <= now_ms) or already holder's (a renewal); returns whether holder
  // holds it now. Of several processes sharing the database, at most one holds it at a time
  // (given clocks that agree to well within ttl_ms).
  virtual Result<bool> AcquireLease(const std::string& name, const std::string& holder,
                                    std::int64_t now_ms, std::int64_t ttl_ms) = 0;
  // Gives the lease up when holder has it; otherwise does nothing.
  virtual Status ReleaseLease(const std::string& name, const std::string& holder) = 0;
  // Where the background job `name` stands, as it saved it (schema migration 17): its own
  // text, kept across restarts and holders of its lease; empty when nothing was saved.
  virtual Result<std::string> JobProgress(const std::string& name) = 0;
  // Inserts or replaces the position of `name`; an empty position forgets it.
  virtual Status SaveJobProgress(const std::string& name, const std::string& position) = 0;
  // Inserts or replaces the report of report.source.
  virtual Status PublishDriftReport(const DriftReport& report) = 0;
  // The reports with updated_at_ms >= since_ms, by source.
  virtual Result<std::vector<DriftReport>> ListDriftReports(std::int64_t since_ms) = 0;
  // First answers (picks and no picks) counted since the newest model row was registered (all
  // answered lists when there is no model): the first-answer counters now minus their total
  // recorded with that row, so the cost does not grow with history. A newest row from before
  // schema version 9 has no total: then the answers to lists of inferences started after it.
  virtual Result<std::int64_t> CountAnswersSinceNewestModel() = 0;

  // --- retention (schema migration 10) ---
  // Deletes, in write transactions of an adaptive number of loops each (RetentionOptions),
  // unanswered history older than options.cutoff: inferences with feedback NULL and status
  // SUCCESS or FAILURE none of whose results rows is in a data set, with their results rows
  // and their user when no other inference references it; then events older than the cutoff.
  // Keeps answered loops, unfinished ones, data set rows and the model registry. Walks from
  // `cursor` (updated) oldest first without scanning what an earlier call kept; SQLite: then
  // gives freed pages back (incremental_vacuum) when the file has auto_vacuum.
  virtual Result<RetentionCounts> DeleteExpiredHistory(const RetentionOptions& options,
                                                       RetentionCursor& cursor) = 0;
};

}  // namespace mlprod::store
