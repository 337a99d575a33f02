#include "tasks/canary_rule.h"

#include <spdlog/fmt/fmt.h>

#include <cmath>

namespace mlprod::tasks {

const char* CanaryVerdictName(CanaryVerdict v) {
  switch (v) {
    case CanaryVerdict::kPromote:
      return "promote";
    case CanaryVerdict::kRollBack:
      return "roll_back";
    case CanaryVerdict::kContinue:
      break;
  }
  return "continue";
}

double CanaryBoundary(std::int64_t decisive, const CanaryRuleOptions& options) {
  // Two-sided normal-mixture boundary for S_n = Σ (x_i − 1/2), V_n = n/4:
  //   |S_n| ≥ sqrt((V_n + ρ) · ln((V_n + ρ) / (ρ · α²))).
  const double rho = options.tuned_for_lists / 4.0;
  const double v = static_cast<double>(decisive) / 4.0 + rho;
  return std::sqrt(v * std::log(v / (rho * options.alpha * options.alpha)));
}

CanaryDecision DecideCanary(const CanaryTally& tally, const CanaryRuleOptions& options) {
  CanaryDecision d;
  const std::int64_t n = tally.decisive();
  const double excess = static_cast<double>(tally.candidate_wins) - static_cast<double>(n) / 2.0;
  const double boundary = CanaryBoundary(n, options);
  const double share = n > 0 ? static_cast<double>(tally.candidate_wins) / n : 0.5;
  if (excess >= boundary) {
    d.verdict = CanaryVerdict::kPromote;
  } else if (-excess >= boundary) {
    d.verdict = CanaryVerdict::kRollBack;
  } else if (n >= options.max_decisive) {
    d.verdict = CanaryVerdict::kRollBack;
  }
  const char* what = d.verdict == CanaryVerdict::kPromote    ? "the candidate is better"
                     : d.verdict == CanaryVerdict::kContinue ? "no decision yet"
                     : excess <= -boundary                   ? "the candidate is worse"
                                                             : "no difference within the horizon";
  d.reason = fmt::format(
      "interleaved lists: candidate won {} of {} picks ({:.1f} %), {} without a pick; "
      "|wins - n/2| = {:.1f} against the boundary {:.1f}: {}",
      tally.candidate_wins, n, 100 * share, tally.no_picks, std::fabs(excess), boundary, what);
  d.evidence = {{"verdict", CanaryVerdictName(d.verdict)},
                {"candidate_wins", tally.candidate_wins},
                {"current_wins", tally.current_wins},
                {"no_picks", tally.no_picks},
                {"candidate_win_share", n > 0 ? nlohmann::json(share) : nlohmann::json()},
                {"excess_wins", excess},
                {"boundary", boundary},
                {"rule",
                 "team-draft interleaving; normal-mixture confidence sequence on the candidate's "
                 "win share against 1/2"},
                {"alpha", options.alpha},
                {"tuned_for_lists", options.tuned_for_lists},
                {"max_decisive", options.max_decisive}};
  return d;
}

}  // namespace mlprod::tasks
