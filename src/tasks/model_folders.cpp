#include "tasks/model_folders.h"

#include <spdlog/spdlog.h>

#include "ml/model_io.h"
#include "store/model_state.h"

namespace mlprod::tasks {
namespace {

bool HasFolder(const std::filesystem::path& data_dir, const store::ModelRow& row) {
  if (row.path.empty()) return false;
  std::error_code ec;
  return std::filesystem::exists(ml::ResolveModelFolder(data_dir, row.path) / ml::kModelJsonName,
                                 ec);
}

}  // namespace

ModelsReadiness JudgeModelFolders(store::ModelRegistry& store,
                                  const std::filesystem::path& data_dir) {
  using S = ModelsReadiness::State;
  auto active = store.ActiveModels();
  if (!active.ok()) {
    spdlog::warn("readiness: cannot read the active models: {}", active.error().message);
    return {S::kUnavailable, "the active models cannot be read from the store"};
  }
  std::string missing;
  for (const auto& row : *active) {
    if (HasFolder(data_dir, row)) return {S::kOk, ""};
    missing += (missing.empty() ? "" : ", ") + row.task_id;
  }
  const std::string why = active->empty()
                              ? std::string("no model is active (use_percentage > 0)")
                              : "the folder of every active model is missing (" + missing + ")";
  auto all = store.ListModels();  // newest first, as ModelPool's fallback looks
  if (!all.ok()) return {S::kUnavailable, why};
  for (const auto& row : *all) {
    const auto state = row.state();
    if (state && store::StateMayServe(*state) && HasFolder(data_dir, row)) {
      return {S::kFallback, why + "; workers serve a fallback model (" + row.task_id +
                                " or an older one that served) until an active model loads"};
    }
  }
  return {S::kUnavailable, why + " and no other model folder exists: no worker can run inference"};
}

}  // namespace mlprod::tasks
