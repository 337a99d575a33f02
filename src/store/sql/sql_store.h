// SqlStore: the one implementation of store::Store over SOCI, the same SQL for SQLite and
// PostgreSQL (dialect differences live in schema.h). Internal to the store/sql module: callers use
// OpenStore. Thread-safe: every call leases its own pooled session.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/log.h"
#include "common/mutex.h"
#include "common/resolve.h"
#include "store/sql/connection_pool.h"
#include "store/sql/db_url.h"
#include "store/sql/open_store.h"
#include "store/sql/query.h"
#include "store/sql/schema.h"
#include "store/sql/wal_checkpointer.h"
#include "store/store.h"

namespace mlprod::store {

class SqlStore final : public Store {
 public:
  SqlStore(DbTarget target, StoreOptions options);

  Status Migrate() override;
  Status CheckSchema() override;
  Status Ping() override;
  Status WriteHealth() override;
  Status Connect() override;

  Status LoadLocationsIfEmpty(std::span<const Location> locations) override;
  Result<std::optional<Location>> GetLocation(std::int64_t location_id) override;
  Result<std::vector<Location>> ListLocations(
      std::int64_t offset, std::int64_t limit,
      std::optional<std::int64_t> after = std::nullopt) override;

  Result<std::int64_t> StartInference(const User& user, const std::string& task_id) override;
  Result<std::optional<User>> GetUser(std::int64_t user_id) override;
  Result<std::vector<User>> ListUsers(std::int64_t offset, std::int64_t limit,
                                      std::optional<std::int64_t> after = std::nullopt) override;
  Result<std::optional<InferenceRow>> GetInference(const std::string& task_id) override;
  Status UpdateInferenceStatus(const std::string& task_id, TaskState state) override;
  Result<std::vector<UnfinishedInference>> ListUnfinishedInferences(
      const std::string& after, int limit,
      std::optional<std::chrono::system_clock::time_point> older_than) override;
  Status TouchUnfinishedInferences(std::span<const std::string> task_ids,
                                   std::chrono::system_clock::time_point at) override;
  Result<ContentInfo> Info() override;

  Status SaveResults(const std::string& task_id, std::int64_t user_id, const std::string& model_id,
                     std::span<const ScoredLocation> scores, double propensity) override;
  Status SaveExploredResults(const std::string& task_id, std::int64_t user_id,
                             const std::string& model_id, std::span<const ScoredLocation> scores,
                             const Exploration& exploration) override;
  Status SaveInterleavedResults(const std::string& task_id, std::int64_t user_id,
                                const std::string& current_id,
                                std::span<const ScoredLocation> scores,
                                const Interleaving& interleaving) override;
  Result<std::vector<ResultRow>> TopResults(const std::string& task_id, int limit) override;
  Result<std::vector<ResultRow>> ListResults(
      const std::string& task_id, std::int64_t offset, std::int64_t limit,
      std::optional<std::int64_t> after = std::nullopt) override;
  Result<std::optional<ResultRow>> GetResult(std::int64_t result_id) override;
  Result<std::optional<Selection>> SelectResult(const std::string& task_id,
                                                std::int64_t location_id) override;
  Result<FeedbackOutcome> RejectResults(const std::string& task_id) override;
  Result<CanaryOutcomes> GetCanaryOutcomes(const std::string& candidate_id) override;
  Result<ModelFeedback> GetModelFeedback(const std::string& model_id) override;
  Result<std::map<std::string, ModelFeedback>> ListModelFeedback() override;

  Status AppendHistory(std::span<const PastLoop> loops) override;

  Result<std::vector<LabelledResult>> NewestShownResults(int limit) override;
  Result<std::vector<LabelledResult>> NewestExploredResults(int limit) override;
  Status RecordDataset(const std::string& task_id,
                       std::span<const std::int64_t> result_ids) override;

  Status RegisterModel(const ModelRow& model) override;
  Result<std::optional<ModelRow>> GetModel(const std::string& task_id) override;
  Result<std::vector<ModelRow>> ListModels() override;
  Result<std::vector<ModelRow>> ActiveModels() override;
  Status TransitionModel(const ModelTransition& t) override;
  Result<std::vector<ModelTransitionRow>> ListModelTransitions(const std::string& task_id) override;
  Status PromoteModel(const std::string& task_id) override;
  Status SetModelUsePercentage(const std::string& task_id, double use_percentage) override;
  Status SetModelPath(const std::string& task_id, const std::string& path) override;

  Result<bool> AcquireLease(const std::string& name, const std::string& holder, std::int64_t now_ms,
                            std::int64_t ttl_ms) override;
  Status ReleaseLease(const std::string& name, const std::string& holder) override;
  Result<std::string> JobProgress(const std::string& name) override;
  Status SaveJobProgress(const std::string& name, const std::string& position) override;
  Status PublishDriftReport(const DriftReport& report) override;
  Result<std::vector<DriftReport>> ListDriftReports(std::int64_t since_ms) override;
  Result<std::int64_t> CountAnswersSinceNewestModel() override;
  Result<RetentionCounts> DeleteExpiredHistory(const RetentionOptions& options,
                                               RetentionCursor& cursor) override;

 private:
  using Body = std::function<Status(soci::session&)>;
  // Runs body on a pooled session, in a write transaction when `write` (committed when body
  // returns OK, rolled back on an error value or exception). Exceptions become Errors here and
  // never leave the store.
  // unchecked (SQLite only): with foreign key enforcement off for the transaction (see
  // sql_store_retention.cpp: a user row's check scans inferences and results).
  // one_statement (PostgreSQL only): body runs a single statement, which commits on its own
  // (autocommit: no BEGIN and COMMIT round trips); SQLite still wraps it in a write transaction.
  Status Run(std::string_view what, bool write, const Body& body, bool unchecked = false,
             bool one_statement = false);
  // Sets the session's statement bound (PostgreSQL statement_timeout, SQLite busy_timeout) to
  // `bound` (at most the configured statement_timeout), when it is not that already.
  void BoundStatements(ConnectionPool::Lease& lease, std::chrono::milliseconds bound);
  Status Read(std::string_view what, const Body& body) { return Run(what, false, body); }
  // Read for a body that returns what it read (ReadOne, ReadAll of query.h): that, or the Error.
  template <typename F>
  auto Fetch(std::string_view what, F read) -> Result<std::invoke_result_t<F&, soci::session&>> {
    std::optional<std::invoke_result_t<F&, soci::session&>> out;
    Status st = Read(what, [&](soci::session& s) {
      out = read(s);
      return OkStatus();
    });
    if (!st.ok()) return st.error();
    return std::move(*out);
  }
  Status Write(std::string_view what, const Body& body) { return Run(what, true, body); }
  Status WriteStatement(std::string_view what, const Body& body) {
    return Run(what, true, body, false, true);
  }
  bool postgres() const { return target_.backend == Backend::kPostgres; }
  // TopResults on PostgreSQL: read, mark shown and log in one statement (sql_store_results.cpp).
  Result<std::vector<ResultRow>> TopResultsInOneStatement(const std::string& task_id, int limit);

  std::unique_ptr<soci::session> OpenSession() const;
  // One write transaction of DeleteExpiredHistory: up to `limit` loops from `cursor`
  // (sql_store_retention.cpp). Sets *exhausted when the walk reached the cutoff.
  // *held: from its first statement to the end of its COMMIT (the write lock's hold time).
  Status DeleteExpiredLoops(const RetentionOptions& options, int limit, RetentionCursor& cursor,
                            RetentionCounts& counts, bool& exhausted,
                            std::chrono::steady_clock::duration& held);
  // One write transaction deleting up to `limit` expired events; returns how many.
  Result<std::int64_t> DeleteExpiredEvents(const std::string& cutoff, int limit,
                                           std::chrono::steady_clock::duration& held);
  // SQLite files with auto_vacuum: incremental_vacuum in bounded steps.
  Result<std::int64_t> VacuumFreePages(const RetentionOptions& options);
  // SaveResults, SaveInterleavedResults and SaveExploredResults (interleaving and exploration
  // null for a plain list, at most one set).
  Status SaveRows(const std::string& task_id, std::int64_t user_id, const std::string& model_id,
                  std::span<const ScoredLocation> scores, double propensity,
                  const Interleaving* interleaving, const Exploration* exploration);
  // NewestShownResults (explored_only false) and NewestExploredResults.
  Result<std::vector<LabelledResult>> NewestLabelled(int limit, bool explored_only);
  // " LIMIT n OFFSET o" in a form both dialects accept; limit < 0 means all.
  std::string LimitOffset(std::int64_t limit, std::int64_t offset) const;
  // The condition "results rows of `alias` belong to the task `value`" (a column or a named
  // parameter such as ":t", bound once). SQLite finds them through the index on the first
  // characters of task_id (migration 14), so it adds that comparison; PostgreSQL compares ids.
  std::string ResultsOfTask(std::string_view alias, std::string_view value) const;
  // Inserts the user (creation_time = time) and returns its user_id. sql_store_content.cpp.
  long long InsertUser(soci::session& s, const User& user, const std::string& time);
  // Inserts one model_transitions row.
  void InsertTransition(soci::session& s, const ModelTransitionRow& row);
  // The body of TransitionModel inside an open write transaction.
  Status TransitionIn(soci::session& s, const ModelTransition& t);
  // Logs events (SPEC §5) at `now`, all in one statement.
  Status InsertEvents(soci::session& s, std::initializer_list<const char*> events,
                      const std::string& now);
  // Inside a write: records `outcome` as the task's first answer when it is one (sets
  // outcome.counted). sql_store_feedback.cpp.
  void CountFirstFeedback(soci::session& s, const std::string& task_id, FeedbackOutcome& outcome);
  // SQL for every first answer counted so far: per model (explored lists included) plus the
  // canary's interleaved lists.
  static constexpr const char* kAnswersTotal =
      "(SELECT COALESCE(SUM(n), 0) FROM model_feedback) + "
      "(SELECT COALESCE(SUM(n), 0) FROM canary_outcomes)";

  DbTarget target_;
  const Dialect& dialect_;
  StoreOptions options_;
  ConnectionPool pool_;
  // PostgreSQL with one named host: the address the last session reached, so sessions opened
  // while serving connect by address instead of resolving the name again (common/resolve.h).
  mutable RememberedAddress server_address_;
  // SQLite has one writer at a time; a second connection's BEGIN IMMEDIATE would sleep in the
  // busy handler (1, 2, 5, 10 ... ms). Writers of this process queue here instead, before taking
  // a session, so they hand over without sleeping. Other processes still meet busy_timeout.
  Mutex sqlite_writer_mu_;
  // The last write that failed for want of storage (WriteHealth): steady-clock ns (0 = never)
  // and the kind's name (a string literal of StorageWriteFailure).
  std::atomic<std::int64_t> write_failed_ns_{0};
  std::atomic<const char*> write_failure_kind_{""};
  LogLimiter failure_log_;  // the failed-statement warning: a few lines a second at most
  // SQLite file stores: WAL checkpoints off the writers' path, started by the first write.
  // Declared last: its thread (which opens sessions through this store) stops first.
  std::once_flag checkpointer_once_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace mlprod::store
