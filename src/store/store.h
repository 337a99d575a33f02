// The relational store of SPEC §5 (users, locations, inferences, results, events, datasets and
// models) as the aggregate of its role interfaces: a module takes the roles it uses (a
// `Store&` converts to any of them), the composition root holds the whole Store. Implemented
// once over SOCI (SqlStore) for SQLite (embedded) and PostgreSQL (distributed), so both run the
// same SQL. Implementations are thread-safe (connection pool); every multi-row change is
// one transaction, so a failure leaves nothing half-written.
#pragma once

#include "store/content_store.h"
#include "store/coordination_store.h"
#include "store/feedback_store.h"
#include "store/history_store.h"
#include "store/inference_store.h"
#include "store/model_registry.h"
#include "store/result_store.h"
#include "store/store_admin.h"
#include "store/training_data_store.h"
#include "store/types.h"

namespace mlprod::store {

// Every role at once. Each method is declared by exactly one role, so no base is virtual and a
// call through Store& is never ambiguous.
class Store : public StoreAdmin,
              public ContentStore,
              public InferenceStore,
              public ResultStore,
              public FeedbackStore,
              public TrainingDataStore,
              public ModelRegistry,
              public CoordinationStore,
              public HistoryStore {
 public:
  ~Store() override = default;
};

}  // namespace mlprod::store
