#include "app/task_set.h"

#include <string>

namespace mlprod::app {
namespace {

tasks::TrainingOptions MakeTrainingOptions(std::filesystem::path models_dir, std::uint64_t seed) {
  tasks::TrainingOptions options;
  options.models_dir = std::move(models_dir);
  options.train.seed = seed;
  return options;
}

}  // namespace

TaskSet::TaskSet(store::Store& store, std::filesystem::path models_dir, std::uint64_t seed)
    : models_(store),
      inference_(store, models_),
      training_(store, models_, MakeTrainingOptions(std::move(models_dir), seed)) {
  registry_.Register(std::string(queue::kInferenceTask),
                     [this](const queue::TaskMessage& m) { return inference_.Run(m); });
  registry_.Register(std::string(queue::kTrainingTask),
                     [this](const queue::TaskMessage& m) { return training_.Run(m); });
}

}  // namespace mlprod::app
