// FeedbackStore: the users' answers to result lists (a pick or "no pick", one per task) and the
// live feedback counted from them per model and per canary. Implementations are thread-safe;
// each answer is decided atomically, also between processes sharing the database.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "store/types.h"

namespace mlprod::store {

class FeedbackStore {
 public:
  virtual ~FeedbackStore() = default;

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
  // First answers (picks and no picks) counted since the newest model row was registered (all
  // answered lists when there is no model): the first-answer counters now minus their total
  // recorded with that row, so the cost does not grow with history. A newest row from before
  // schema version 9 has no total: then the answers to lists of inferences started after it.
  virtual Result<std::int64_t> CountAnswersSinceNewestModel() = 0;
};

}  // namespace mlprod::store
