// The canary's decision rule: a sequential test on interleaved lists, decided afresh after every
// piece of feedback. Each interleaved list with a pick is a win for the model whose item was
// picked; under "the models are equally good" a win is a fair coin. The rule keeps Robbins'
// normal-mixture confidence sequence for the candidate's win share (Bernoulli outcomes are
// sub-Gaussian with variance 1/4), which stays valid however often it is looked at: promote when
// the whole sequence is above 1/2, roll back when it is below, roll back as inconclusive at the
// horizon. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace mlprod::tasks {

struct CanaryRuleOptions {
  double alpha = 0.05;  // P(any wrong decision) when the models are equal, at most. Default: 0.05
  // Where the boundary is tightest, in decisive lists (the mixture's ρ = 1/4 · this).
  // Default: 200
  double tuned_for_lists = 200;
  // Decisive lists after which an undecided canary is rolled back (the current model stays).
  // Default: 3000
  std::int64_t max_decisive = 3000;
};

struct CanaryTally {
  std::int64_t candidate_wins = 0;  // interleaved lists whose pick was the candidate's item
  std::int64_t current_wins = 0;    // ... the current model's item
  std::int64_t no_picks = 0;        // interleaved lists answered with "no pick"
  std::int64_t decisive() const { return candidate_wins + current_wins; }
};

enum class CanaryVerdict { kContinue, kPromote, kRollBack };
const char* CanaryVerdictName(CanaryVerdict v);

struct CanaryDecision {
  CanaryVerdict verdict = CanaryVerdict::kContinue;
  std::string reason;       // one sentence with the numbers
  nlohmann::json evidence;  // tally, win share, boundary, the rule and its options
};

// |wins − n/2| must reach this after n decisive lists for a decision.
double CanaryBoundary(std::int64_t decisive, const CanaryRuleOptions& options);

CanaryDecision DecideCanary(const CanaryTally& tally, const CanaryRuleOptions& options = {});

}  // namespace mlprod::tasks
