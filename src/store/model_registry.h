// ModelRegistry: the `models` rows and their lifecycle (model_state.h) — registering, reading,
// the compare-and-set transitions and traffic shares. Implementations are thread-safe; every
// change is one transaction, so two processes never both move a model.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/types.h"

namespace mlprod::store {

class ModelRegistry {
 public:
  virtual ~ModelRegistry() = default;

  // Inserts the model in the state named by model.status (a ModelStateName, else
  // kInvalidArgument) with a transition row from "" (reason: model.reason). When the task id
  // exists already, only path and metrics are updated: its state and share change only through
  // TransitionModel.
  virtual Status RegisterModel(const ModelRow& model) = 0;
  virtual Result<std::optional<ModelRow>> GetModel(const std::string& task_id) = 0;
  virtual Result<std::vector<ModelRow>> ListModels() = 0;  // newest first
  // Models with use_percentage > 0.
  virtual Result<std::vector<ModelRow>> ActiveModels() = 0;
  // The one owner of model states. In one transaction: compare-and-set of the model's state
  // from t.from to t.to (kConflict when it is not in t.from, so of two processes only one
  // succeeds; kNotFound for an unknown model; kInvalidArgument for a transition the table
  // forbids), its reason, evidence, share and metrics, and a model_transitions row. →promoted
  // also moves every other promoted model to retired (share 0, with its own transition row) and,
  // at share 1.0, sets every other model's share to 0.
  virtual Status TransitionModel(const ModelTransition& t) = 0;
  // The model's transitions, oldest first.
  virtual Result<std::vector<ModelTransitionRow>> ListModelTransitions(
      const std::string& task_id) = 0;
  // TransitionModel from the model's current state to promoted (a manual transition when the
  // table says so; kConflict from pending, training, failed). Already promoted: the share goes
  // back to 1.0 and every other model's to 0, without a transition.
  virtual Status PromoteModel(const std::string& task_id) = 0;
  // Sets a model's traffic share (A/B or canary) without changing its state, leaving the other
  // models as they are.
  virtual Status SetModelUsePercentage(const std::string& task_id, double use_percentage) = 0;
  // Points a model's row at another folder (bootstrap's repair of a moved data dir); state and
  // share stay. kNotFound for an unknown model.
  virtual Status SetModelPath(const std::string& task_id, const std::string& path) = 0;
};

}  // namespace mlprod::store
