#include "tasks/model_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ml/model_io.h"
#include "store/model_state.h"

namespace mlprod::tasks {

ModelPool::ModelPool(store::Store& store, RefreshObserver observer, std::filesystem::path data_dir,
                     const Clock& clock)
    : store_(store),
      observer_(std::move(observer)),
      data_dir_(std::move(data_dir)),
      clock_(clock) {}

double ModelPool::SplitPoint(std::string_view task_id) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : task_id) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;  // spread the low-entropy tail of similar ids over the top bits
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

Status ModelPool::Refresh() {
  MutexLock lock(refresh_mu_);
  if (!locations_) {
    auto locations = store_.ListLocations(0, -1);
    if (!locations.ok()) return locations.error();
    if (locations->empty()) {
      return MakeError(ErrorCode::kUnavailable, "the store has no locations to score");
    }
    locations_ = std::make_shared<const std::vector<Location>>(std::move(locations.value()));
  }
  auto rows = store_.ActiveModels();
  if (!rows.ok()) return rows.error();
  auto old = snapshot_.load();
  if (rows->empty()) {
    return Install(FallBack("no active model (use_percentage > 0) in the store", old));
  }
  auto next = std::make_shared<Snapshot>();
  int loaded = 0;
  std::string first_failure;
  for (const auto& row : *rows) {
    ServingModel serving{row.task_id, row.use_percentage, nullptr,
                         row.state() == store::ModelState::kCanary};
    if (old) {
      auto it = std::find_if(old->models.begin(), old->models.end(),
                             [&](const ServingModel& m) { return m.model_id == row.task_id; });
      if (it != old->models.end()) serving.scorer = it->scorer;
    }
    if (!serving.scorer) {
      auto model = ml::LoadSharedModel(ml::ResolveModelFolder(data_dir_, row.path));
      if (!model.ok()) {
        // Skipped: the other active models keep serving. Logged once per model and path.
        const std::string message = "model " + row.task_id + ": " + model.error().message;
        if (first_failure.empty()) first_failure = message;
        if (unloadable_.insert(row.task_id + '\n' + row.path).second) {
          spdlog::error("model pool: skipping active model {} (share {:.2f}): {}", row.task_id,
                        row.use_percentage, model.error().message);
        }
        continue;
      }
      serving.scorer = ml::LocationScorer::Create(std::move(model.value()), *locations_);
      ++loaded;
      spdlog::info("model {} loaded from {} (test auc {:.4f}, share {:.2f})", row.task_id, row.path,
                   row.test.auc.value_or(std::nan("")), row.use_percentage);
    }
    next->total_share += row.use_percentage;
    next->models.push_back(std::move(serving));
  }
  if (next->models.empty()) {
    return Install(FallBack("none of the " + std::to_string(rows->size()) +
                                " active models can be loaded (first: " + first_failure + ")",
                            old));
  }
  next->loaded_at = clock_.SteadyNow();
  // A canary is interleaved with the primary on its share of tasks instead of taking a slice of
  // the split (when it is the only active model, it is simply the model).
  auto canary = std::find_if(next->models.begin(), next->models.end(),
                             [](const ServingModel& m) { return m.canary; });
  if (canary != next->models.end() && next->models.size() > 1) {
    next->total_share -= canary->use_percentage;
    next->canary = std::move(*canary);
    next->models.erase(canary);
  }
  if (observer_) observer_(ActiveOf(*next), loaded);
  snapshot_.store(std::move(next));
  return OkStatus();
}

Result<std::shared_ptr<ModelPool::Snapshot>> ModelPool::FallBack(
    const std::string& why, const std::shared_ptr<const Snapshot>& old) {
  auto rows = store_.ListModels();  // newest first
  if (!rows.ok()) return rows.error();
  // Models that served or were approved come first; then any trained model.
  auto rank = [](const store::ModelRow& row) {
    const auto s = row.state();
    if (!s || !store::StateMayServe(*s)) return 2;
    using S = store::ModelState;
    return *s == S::kPromoted || *s == S::kRetired || *s == S::kCanary ? 0 : 1;
  };
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& row : *rows) {
      if (rank(row) != pass) continue;
      ServingModel serving{row.task_id, 1.0, nullptr, false};
      if (old && old->models.size() == 1 && old->models[0].model_id == row.task_id) {
        serving.scorer = old->models[0].scorer;
      } else {
        auto model = ml::LoadSharedModel(ml::ResolveModelFolder(data_dir_, row.path));
        if (!model.ok()) continue;
        serving.scorer = ml::LocationScorer::Create(std::move(model.value()), *locations_);
      }
      auto next = std::make_shared<Snapshot>();
      next->total_share = 1.0;
      next->models.push_back(std::move(serving));
      next->warning = why + "; serving the fallback model " + row.task_id + " (" + row.status +
                      ") until an active model loads";
      if (!old || old->warning != next->warning) {
        spdlog::critical("model pool: FALLBACK: {}", next->warning);
      }
      return next;
    }
  }
  return MakeError(ErrorCode::kUnavailable, why + "; no model of the store loads");
}

Status ModelPool::Install(Result<std::shared_ptr<Snapshot>> next) {
  if (!next.ok()) return next.error();
  (*next)->loaded_at = clock_.SteadyNow();
  // The fallback's folder was loaded anew unless the previous snapshot served it already.
  const auto old = snapshot_.load();
  const auto& scorer = (*next)->models.front().scorer;
  const bool reused = old && std::any_of(old->models.begin(), old->models.end(),
                                         [&](const ServingModel& m) { return m.scorer == scorer; });
  if (observer_) observer_(ActiveOf(**next), reused ? 0 : 1);
  snapshot_.store(std::move(next.value()));
  return OkStatus();
}

std::string ModelPool::Warning() const {
  auto snap = snapshot_.load();
  return snap ? snap->warning : std::string();
}

Status ModelPool::RefreshIfOlderThan(std::chrono::steady_clock::duration max_age) {
  auto snap = snapshot_.load();
  if (snap && clock_.SteadyNow() - snap->loaded_at < max_age) return OkStatus();
  return Refresh();
}

Result<ServingModel> ModelPool::Pick(std::string_view task_id) const {
  auto snap = snapshot_.load();
  if (!snap || snap->models.empty()) {
    return MakeError(ErrorCode::kUnavailable, "no model loaded yet");
  }
  const double point = SplitPoint(task_id) * snap->total_share;
  double cumulative = 0;
  for (const auto& m : snap->models) {
    cumulative += m.use_percentage;
    if (point < cumulative) return m;
  }
  return snap->models.back();
}

Result<ModelPool::Assignment> ModelPool::Assign(std::string_view task_id) const {
  auto snap = snapshot_.load();
  auto model = Pick(task_id);
  if (!model.ok()) return model.error();
  Assignment out{std::move(model.value()), std::nullopt};
  if (snap->canary && CanaryPoint(task_id) < snap->canary->use_percentage) {
    out.model = PrimaryOf(*snap);
    out.candidate = snap->canary;
  }
  return out;
}

double ModelPool::CanaryPoint(std::string_view task_id) {
  // Independent of SplitPoint, so the canary's tasks are a fair sample of every split arm.
  std::string salted(task_id);
  salted += "#canary";
  return SplitPoint(salted);
}

ServingModel ModelPool::PrimaryOf(const Snapshot& snap) {
  return *std::max_element(snap.models.begin(), snap.models.end(),
                           [](const ServingModel& a, const ServingModel& b) {
                             return a.use_percentage < b.use_percentage;
                           });
}

std::vector<ServingModel> ModelPool::ActiveOf(const Snapshot& snap) {
  std::vector<ServingModel> out = snap.models;
  if (snap.canary) out.push_back(*snap.canary);
  return out;
}

Result<ServingModel> ModelPool::Primary() const {
  auto snap = snapshot_.load();
  if (!snap || snap->models.empty()) {
    return MakeError(ErrorCode::kUnavailable, "no model loaded yet");
  }
  return PrimaryOf(*snap);
}

std::vector<ServingModel> ModelPool::Active() const {
  auto snap = snapshot_.load();
  return snap ? ActiveOf(*snap) : std::vector<ServingModel>{};
}

std::shared_ptr<const std::vector<Location>> ModelPool::locations() const {
  MutexLock lock(refresh_mu_);
  return locations_;
}

}  // namespace mlprod::tasks
