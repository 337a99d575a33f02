// The models that serve traffic: every active model of the store (use_percentage > 0) loaded
// once, with its location matrix prepared for scoring, and the traffic split between them
// (deterministic per task id). Not training. Thread-safe: Pick/Primary are lock-free reads of an
// immutable snapshot; Refresh builds a new snapshot and swaps it atomically, so a promotion never
// disturbs an inference in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "ml/scorer.h"
#include "store/store.h"

namespace mlprod::tasks {

struct ServingModel {
  std::string model_id;  // the model's task id in the store
  double use_percentage = 0;
  std::shared_ptr<const ml::LocationScorer> scorer;
  bool canary = false;  // in the canary state: interleaved with the primary (Assign)
};

class ModelPool {
 public:
  // Called after every successful Refresh with the active models and how many folders were
  // loaded anew (for metrics). Runs on the refreshing thread.
  using RefreshObserver = std::function<void(const std::vector<ServingModel>&, int loaded)>;

  // data_dir: what relative model paths of the store are relative to (ml::ResolveModelFolder).
  // clock: the ages RefreshIfOlderThan compares (app/ passes its clock).
  explicit ModelPool(store::Store& store, RefreshObserver observer = {},
                     std::filesystem::path data_dir = {}, const Clock& clock = SystemClock());

  // Loads the locations (first call) and the store's active models; model folders already
  // loaded are reused. An active model whose folder does not load is left out (logged once per
  // model) and the others share the traffic. When no model is active or none loads, the newest
  // loadable trained model of the store serves alone (a fallback: logged loudly, Warning() says
  // so); fails only when no model of the store loads (the previous snapshot stays in service).
  Status Refresh();
  // Why the models serving are not the store's active ones ("" when they are).
  std::string Warning() const;
  // Refresh when the snapshot is older than max_age (other processes may have promoted).
  Status RefreshIfOlderThan(std::chrono::steady_clock::duration max_age);

  // The model that scores this task: a point in [0, 1) from a hash of the task id falls into
  // one model's share of the summed use_percentages of the models that are not a canary.
  // kUnavailable before the first Refresh.
  Result<ServingModel> Pick(std::string_view task_id) const;
  // What scores this task: Pick's model, or — on a canary's share of tasks (a second, independent
  // hash point below the canary's use_percentage) — the primary with the canary as candidate,
  // to be interleaved (tasks/interleave.h).
  struct Assignment {
    ServingModel model;
    std::optional<ServingModel> candidate;
  };
  Result<Assignment> Assign(std::string_view task_id) const;
  // The non-canary model with the largest share (the "old" model a new training run must beat).
  Result<ServingModel> Primary() const;
  // Every loaded active model, the canary last.
  std::vector<ServingModel> Active() const;

  // The locations every model scores, in location_id order (empty before the first Refresh).
  std::shared_ptr<const std::vector<Location>> locations() const;

  // The deterministic point in [0, 1) a task id maps to (exposed for tests).
  static double SplitPoint(std::string_view task_id);
  static double CanaryPoint(std::string_view task_id);

 private:
  struct Snapshot {
    std::vector<ServingModel> models;    // the split (not empty once loaded)
    std::optional<ServingModel> canary;  // interleaved on its share of tasks
    double total_share = 0;              // of `models`
    std::chrono::steady_clock::time_point loaded_at;
    std::string warning;  // set when a fallback serves instead of the active models
  };

  // The fallback snapshot: the newest loadable model (promoted, retired or canary first, then
  // any trained one), reusing `old`'s scorer when it is the same model.
  Result<std::shared_ptr<Snapshot>> FallBack(const std::string& why,
                                             const std::shared_ptr<const Snapshot>& old)
      MLPROD_REQUIRES(refresh_mu_);
  // Stamps and swaps in a fallback snapshot.
  Status Install(Result<std::shared_ptr<Snapshot>> next) MLPROD_REQUIRES(refresh_mu_);

  static ServingModel PrimaryOf(const Snapshot& snap);
  static std::vector<ServingModel> ActiveOf(const Snapshot& snap);

  store::Store& store_;
  RefreshObserver observer_;
  std::filesystem::path data_dir_;
  const Clock& clock_;
  mutable Mutex refresh_mu_;  // one refresh at a time
  std::shared_ptr<const std::vector<Location>> locations_ MLPROD_GUARDED_BY(refresh_mu_);
  // "id\npath" already logged as not loading.
  std::set<std::string> unloadable_ MLPROD_GUARDED_BY(refresh_mu_);
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
};

}  // namespace mlprod::tasks
