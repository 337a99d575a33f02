// ContentStore: the reference data and debug reads of SPEC §5 — locations, users, result rows
// by id and the row counts behind /content. Reads only, except the first start's location load.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "store/types.h"

namespace mlprod::store {

class ContentStore {
 public:
  virtual ~ContentStore() = default;

  // Inserts the locations when the table is empty (first start); otherwise does nothing.
  virtual Status LoadLocationsIfEmpty(std::span<const Location> locations) = 0;
  virtual Result<std::optional<Location>> GetLocation(std::int64_t location_id) = 0;
  // Locations ordered by location_id (limit < 0: all). `after`: only ids above it, a keyset
  // cursor that costs an index seek however deep the page is (an offset is walked row by row).
  virtual Result<std::vector<Location>> ListLocations(
      std::int64_t offset, std::int64_t limit,
      std::optional<std::int64_t> after = std::nullopt) = 0;
  virtual Result<std::optional<User>> GetUser(std::int64_t user_id) = 0;
  // Users ordered by user_id; `after` as for ListLocations.
  virtual Result<std::vector<User>> ListUsers(std::int64_t offset, std::int64_t limit,
                                              std::optional<std::int64_t> after = std::nullopt) = 0;
  virtual Result<ContentInfo> Info() = 0;
  // All results of a task (debug read), or of every task when task_id is empty, ordered by
  // result_id; `after` as for ListLocations.
  virtual Result<std::vector<ResultRow>> ListResults(
      const std::string& task_id, std::int64_t offset, std::int64_t limit,
      std::optional<std::int64_t> after = std::nullopt) = 0;
  virtual Result<std::optional<ResultRow>> GetResult(std::int64_t result_id) = 0;
};

}  // namespace mlprod::store
