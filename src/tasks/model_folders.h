// Whether this host's model folders can serve the store's models, judged without loading them:
// for `mlprod api`, which has no model pool but must not report ready while no worker can run
// inference. Mirrors ModelPool's choice (active models, else a fallback). Not a loader.
// Thread-safe: reads the store and the filesystem only.
#pragma once

#include <filesystem>
#include <string>

#include "store/model_registry.h"

namespace mlprod::tasks {

struct ModelsReadiness {
  enum class State { kOk, kFallback, kUnavailable };
  State state = State::kOk;
  // Why not ok: for kFallback a warning (still ready), for kUnavailable why the service is not
  // ready. Model ids only, no filesystem paths or dependency errors.
  std::string detail;
};

// kOk when an active model's folder has its model.json; kFallback when none has but another
// trained model's has (a ModelPool then serves that one); kUnavailable otherwise, or when the
// store cannot be read.
ModelsReadiness JudgeModelFolders(store::ModelRegistry& store,
                                  const std::filesystem::path& data_dir);

}  // namespace mlprod::tasks
