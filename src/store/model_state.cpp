#include "store/model_state.h"

namespace mlprod::store {

std::string_view ModelStateName(ModelState state) {
  switch (state) {
    case ModelState::kPending:
      return "pending";
    case ModelState::kTraining:
      return "training";
    case ModelState::kFailed:
      return "failed";
    case ModelState::kRejected:
      return "rejected";
    case ModelState::kCandidate:
      return "candidate";
    case ModelState::kCanary:
      return "canary";
    case ModelState::kPromoted:
      return "promoted";
    case ModelState::kRolledBack:
      return "rolled_back";
    case ModelState::kRetired:
      return "retired";
  }
  return "unknown";
}

std::optional<ModelState> ParseModelState(std::string_view name) {
  for (ModelState s : kAllModelStates) {
    if (ModelStateName(s) == name) return s;
  }
  return std::nullopt;
}

TransitionKind TransitionKindOf(ModelState from, ModelState to) {
  using S = ModelState;
  constexpr auto A = TransitionKind::kAutomatic;
  constexpr auto M = TransitionKind::kManual;
  constexpr auto F = TransitionKind::kForbidden;
  switch (from) {
    case S::kPending:
      return to == S::kTraining || to == S::kFailed ? A : F;
    case S::kTraining:
      return to == S::kFailed || to == S::kRejected || to == S::kCandidate ? A : F;
    case S::kCandidate:
      return to == S::kCanary || to == S::kPromoted || to == S::kRejected ? A : F;
    case S::kCanary:
      return to == S::kPromoted || to == S::kRolledBack ? A : F;
    case S::kPromoted:
      return to == S::kRetired ? A : F;
    case S::kRetired:
    case S::kRolledBack:
    case S::kRejected:
      return to == S::kPromoted ? M : F;
    case S::kFailed:
      return F;
  }
  return F;
}

bool StateMayServe(ModelState state) {
  return state != ModelState::kPending && state != ModelState::kTraining &&
         state != ModelState::kFailed;
}

}  // namespace mlprod::store
