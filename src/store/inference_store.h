// InferenceStore: the `inferences` rows of accepted tasks — starting one, reading and updating
// its status, and the unfinished ones that recovery and the sweeper queue again. Implementations
// are thread-safe; each call is one transaction.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "store/types.h"

namespace mlprod::store {

class InferenceStore {
 public:
  virtual ~InferenceStore() = default;

  // In one transaction: inserts the user, the inference row (status PENDING) and the
  // inference_start event. Returns the new user_id.
  virtual Result<std::int64_t> StartInference(const User& user, const std::string& task_id) = 0;
  virtual Result<std::optional<InferenceRow>> GetInference(const std::string& task_id) = 0;
  // Sets the inference status and time_update and writes a `status` event, when that changes
  // the status: a final state (SUCCESS, FAILURE, REVOKED) is final, and reporting the status a
  // row already has writes nothing (no write lock taken either), so a task polled many times
  // logs one event per change, not one per poll.
  virtual Status UpdateInferenceStatus(const std::string& task_id, TaskState status) = 0;
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
};

}  // namespace mlprod::store
