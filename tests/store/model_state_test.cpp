// The lifecycle's transition table (store/model_state.h), checked for every pair of states, and
// the state names stored in models.status.
#include "store/model_state.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

namespace mlprod::store {
namespace {

using S = ModelState;

TEST(ModelState, NamesAreLowercaseAndParseBack) {
  std::set<std::string> names;
  for (S s : kAllModelStates) {
    const std::string name(ModelStateName(s));
    names.insert(name);
    ASSERT_EQ(ParseModelState(name), s) << name;
  }
  EXPECT_EQ(names.size(), 9u);
  EXPECT_EQ(ModelStateName(S::kRolledBack), "rolled_back");
  EXPECT_FALSE(ParseModelState("SUCCESS").has_value());
  EXPECT_FALSE(ParseModelState("Promoted").has_value());
  EXPECT_FALSE(ParseModelState("").has_value());
}

TEST(ModelState, EveryPairFollowsTheTable) {
  const std::set<std::pair<S, S>> automatic = {
      {S::kPending, S::kTraining},   {S::kPending, S::kFailed},     {S::kTraining, S::kFailed},
      {S::kTraining, S::kRejected},  {S::kTraining, S::kCandidate}, {S::kCandidate, S::kCanary},
      {S::kCandidate, S::kPromoted}, {S::kCandidate, S::kRejected}, {S::kCanary, S::kPromoted},
      {S::kCanary, S::kRolledBack},  {S::kPromoted, S::kRetired},
  };
  const std::set<std::pair<S, S>> manual = {
      {S::kRetired, S::kPromoted},
      {S::kRolledBack, S::kPromoted},
      {S::kRejected, S::kPromoted},
  };
  int checked = 0;
  for (S from : kAllModelStates) {
    for (S to : kAllModelStates) {
      const auto pair = std::make_pair(from, to);
      const TransitionKind expected = automatic.count(pair) ? TransitionKind::kAutomatic
                                      : manual.count(pair)  ? TransitionKind::kManual
                                                            : TransitionKind::kForbidden;
      EXPECT_EQ(TransitionKindOf(from, to), expected)
          << ModelStateName(from) << " -> " << ModelStateName(to);
      EXPECT_EQ(TransitionAllowed(from, to, /*manual=*/false),
                expected == TransitionKind::kAutomatic);
      EXPECT_EQ(TransitionAllowed(from, to, /*manual=*/true),
                expected != TransitionKind::kForbidden);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 81);
}

TEST(ModelState, OnlyPendingAndTrainingModelsCanFail) {
  for (S from : kAllModelStates) {
    const bool may_fail = from == S::kPending || from == S::kTraining;
    EXPECT_EQ(TransitionAllowed(from, S::kFailed, /*manual=*/true), may_fail)
        << ModelStateName(from);
  }
}

TEST(ModelState, UnfinishedModelsMayNotServe) {
  EXPECT_FALSE(StateMayServe(S::kPending));
  EXPECT_FALSE(StateMayServe(S::kTraining));
  EXPECT_FALSE(StateMayServe(S::kFailed));
  EXPECT_TRUE(StateMayServe(S::kCandidate));
  EXPECT_TRUE(StateMayServe(S::kRetired));
}

}  // namespace
}  // namespace mlprod::store
