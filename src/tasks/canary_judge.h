// Decides canaries on their live evidence: for every model in the canary state, the first
// answers to its interleaved lists (Store::GetCanaryOutcomes) go through the sequential rule
// (canary_rule.h); a verdict promotes or rolls back the canary through Store::TransitionModel,
// whose compare-and-set lets exactly one of several API processes act on it. Not the rule
// itself. Thread-safe: JudgeOnce may run from any thread; Start runs it periodically on its own.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/periodic.h"
#include "common/result.h"
#include "store/store.h"
#include "tasks/canary_rule.h"

namespace mlprod::tasks {

struct CanaryVerdictRecord {
  std::string model_id;
  CanaryDecision decision;
};

class CanaryJudge {
 public:
  // on_verdict (may be empty) runs after each promotion or rollback, e.g. to refresh a model
  // pool of this process at once instead of at its next periodic refresh.
  CanaryJudge(store::Store& store, CanaryRuleOptions options,
              std::function<void()> on_verdict = {});
  ~CanaryJudge();  // stops the thread of Start
  CanaryJudge(const CanaryJudge&) = delete;
  CanaryJudge& operator=(const CanaryJudge&) = delete;

  // One round over the canaries; returns the verdicts it carried out (promote / roll back).
  // A transition lost to another process (kConflict) is not an error and not returned.
  Result<std::vector<CanaryVerdictRecord>> JudgeOnce();
  // Runs JudgeOnce every `interval` on a thread of its own until destruction; errors are logged.
  void Start(std::chrono::milliseconds interval);

 private:
  store::Store& store_;
  CanaryRuleOptions options_;
  std::function<void()> on_verdict_;
  Periodic periodic_;  // last: stops first
};

}  // namespace mlprod::tasks
