// CoordinationStore: what the processes sharing one database coordinate through (schema
// migrations 8 and 17) — leases of the background jobs, their saved progress, and the drift
// reports of inference processes. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/types.h"

namespace mlprod::store {

class CoordinationStore {
 public:
  virtual ~CoordinationStore() = default;

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
};

}  // namespace mlprod::store
