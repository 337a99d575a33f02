// HistoryStore: bulk work on past loops, off the serving path — `mlprod history` appending
// generated ones, and data retention deleting the unanswered expired ones (retention.h).
// Implementations are thread-safe.
#pragma once

#include <span>

#include "common/result.h"
#include "store/retention.h"
#include "store/types.h"

namespace mlprod::store {

class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Maintenance (`mlprod history`), not the serving path: writes the loops in one transaction
  // as serving would have, each with its user, its inference (SUCCESS, time_get, feedback), its
  // result rows (shown, shown_rank, the pick's label 1), its events (inference_start, results
  // and, answered, selection and good_inference or bad_inference), and the first answers added
  // to model_feedback (explored lists under kExploredFeedbackId). A task id that exists fails
  // the whole batch (kConflict).
  virtual Status AppendHistory(std::span<const PastLoop> loops) = 0;
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
