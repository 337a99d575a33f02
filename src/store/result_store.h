// ResultStore: an inference task's scored rows — saving a plain, explored or interleaved list
// (idempotent per task id) and reading its top rows for the client. Implementations are
// thread-safe; each call is one transaction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/types.h"

namespace mlprod::store {

class ResultStore {
 public:
  virtual ~ResultStore() = default;

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
};

}  // namespace mlprod::store
