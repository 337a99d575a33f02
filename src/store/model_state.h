// The model lifecycle (docs/ml.md "Model lifecycle"): the states a model row can be in, their
// lowercase names as stored in `models.status`, and which transitions are allowed (automatic or
// only as a manual override). Pure functions over constants; thread-safe. Changing a model's
// state is Store::TransitionModel, the one owner.
#pragma once

#include <optional>
#include <string_view>

namespace mlprod::store {

enum class ModelState {
  kPending,     // row written by the API, training task not started
  kTraining,    // training task running
  kFailed,      // training ended with an error (reason says which)
  kRejected,    // trained, but the promotion policy kept the previous model
  kCandidate,   // trained and evaluated, awaiting the promotion decision
  kCanary,      // serving a part of the traffic
  kPromoted,    // the primary model
  kRolledBack,  // was a canary, taken out of traffic
  kRetired,     // was promoted, replaced by a newer one
};

inline constexpr ModelState kAllModelStates[] = {
    ModelState::kPending,  ModelState::kTraining,   ModelState::kFailed,
    ModelState::kRejected, ModelState::kCandidate,  ModelState::kCanary,
    ModelState::kPromoted, ModelState::kRolledBack, ModelState::kRetired,
};

// "pending", "training", "failed", "rejected", "candidate", "canary", "promoted",
// "rolled_back", "retired".
std::string_view ModelStateName(ModelState state);
// The inverse of ModelStateName (exact, lowercase); nullopt for anything else.
std::optional<ModelState> ParseModelState(std::string_view name);

enum class TransitionKind {
  kForbidden,
  kAutomatic,  // any owner (training task, promotion policy, operator) may take it
  kManual,     // only an operator's explicit override (PUT /models/{id})
};

// The transition table. A state to itself is kForbidden (a share change is not a transition).
TransitionKind TransitionKindOf(ModelState from, ModelState to);

// True when the transition may be taken; manual transitions need `manual`.
inline bool TransitionAllowed(ModelState from, ModelState to, bool manual) {
  const TransitionKind k = TransitionKindOf(from, to);
  return k == TransitionKind::kAutomatic || (manual && k == TransitionKind::kManual);
}

// True for states whose model folder may serve traffic (candidate, canary, promoted, and the
// manual-override targets rejected, rolled_back, retired): not pending, training or failed.
bool StateMayServe(ModelState state);

}  // namespace mlprod::store
