// StoreAdmin: the store's own lifecycle — schema migrations and checks, readiness and opening
// the connections. Used by the composition root (app/) and the API's health routes; no business
// data. Implementations are thread-safe.
#pragma once

#include "common/result.h"

namespace mlprod::store {

class StoreAdmin {
 public:
  virtual ~StoreAdmin() = default;

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
};

}  // namespace mlprod::store
