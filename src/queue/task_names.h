// Which Celery task names a process publishes (MLPROD_TASK_NAMES, --task-names), so that a fleet
// mixing mlprod and reference processes can be moved one process at a time (docs/deployment.md,
// "Mixed fleets"). Only the publishing side: workers accept every preset's names
// (worker/task_registry.h). Plain values: thread-safe to copy and share.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "queue/task.h"

namespace mlprod::queue {

// The presets, one per task naming a Celery app may register.
// "mlprod": mlprod.worker.tasks.*, what mlprod and the reference's current src/mlprod/ layout
// register. "reference" is a synonym of it, for operators who name the workers they run.
// "reference-2022": worker.tasks.*, what the reference's 2022 layout (worker/, started as
// `celery -A worker.celery worker`) registers; it rejects the mlprod.* names as unregistered.
inline constexpr std::string_view kTaskNamesMlprod = "mlprod";
inline constexpr std::string_view kTaskNamesReference = "reference";
inline constexpr std::string_view kTaskNamesReference2022 = "reference-2022";

struct PublishedTaskNames {
  std::string preset{kTaskNamesMlprod};   // Default: "mlprod"
  std::string inference{kInferenceTask};  // Default: mlprod.worker.tasks.inference.inference
  std::string training{kTrainingTask};    // Default: mlprod.worker.tasks.train.training

  bool operator==(const PublishedTaskNames&) const = default;
};

// The preset named `value`; empty means "mlprod". Any other value is a kInvalidArgument error
// that lists the presets.
Result<PublishedTaskNames> ParseTaskNames(std::string_view value);

// "mlprod, reference, reference-2022": for help texts and errors.
std::string TaskNamePresets();

}  // namespace mlprod::queue
