// The store of the unit tests: the real SQL adapter (store/sql/) over an in-memory SQLite
// database, migrated and empty — the same SQL as the deployments run, with no file and no server
// (docs/decisions.md D16). Not a hand-written twin of the interface. Each call returns a database
// of its own; the store is thread-safe (one pooled connection, so calls take turns).
#pragma once

#include <memory>

#include "store/sql/open_store.h"
#include "store/store.h"

namespace mlprod::fakes {

// Fails fast (aborts with the reason) when the store cannot be opened or migrated: a broken test
// environment, not a test outcome.
std::unique_ptr<store::Store> MemoryStore(store::StoreOptions options = {});

}  // namespace mlprod::fakes
