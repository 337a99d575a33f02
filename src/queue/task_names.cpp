#include "queue/task_names.h"

#include <array>

namespace mlprod::queue {
namespace {

struct Preset {
  std::string_view name;
  std::string_view inference;
  std::string_view training;
};

constexpr std::array<Preset, 3> kPresets{{
    {kTaskNamesMlprod, kInferenceTask, kTrainingTask},
    {kTaskNamesReference, kInferenceTask, kTrainingTask},
    {kTaskNamesReference2022, kLegacyInferenceTask, kLegacyTrainingTask},
}};

}  // namespace

Result<PublishedTaskNames> ParseTaskNames(std::string_view value) {
  if (value.empty()) value = kTaskNamesMlprod;
  for (const Preset& p : kPresets) {
    if (p.name == value) {
      return PublishedTaskNames{std::string(p.name), std::string(p.inference),
                                std::string(p.training)};
    }
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown task names '" + std::string(value) +
                                                    "': use one of " + TaskNamePresets());
}

std::string TaskNamePresets() {
  std::string out;
  for (const Preset& p : kPresets) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

}  // namespace mlprod::queue
