// TrainingDataStore: what a training task reads (the newest shown or explored labelled rows)
// and the record of which rows it used (`datasets`). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/types.h"

namespace mlprod::store {

class TrainingDataStore {
 public:
  virtual ~TrainingDataStore() = default;

  // The newest `limit` shown results (by result_id desc), joined with users and locations.
  virtual Result<std::vector<LabelledResult>> NewestShownResults(int limit) = 0;
  // The newest `limit` shown rows of answered explored lists, newest first.
  virtual Result<std::vector<LabelledResult>> NewestExploredResults(int limit) = 0;
  // Records which results a training task used (datasets table) and a `training` event.
  virtual Status RecordDataset(const std::string& task_id,
                               std::span<const std::int64_t> result_ids) = 0;
};

}  // namespace mlprod::store
