#include "tasks/canary_judge.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace mlprod::tasks {

CanaryJudge::CanaryJudge(store::Store& store, CanaryRuleOptions options,
                         std::function<void()> on_verdict)
    : store_(store), options_(options), on_verdict_(std::move(on_verdict)) {}

CanaryJudge::~CanaryJudge() { periodic_.Stop(); }

Result<std::vector<CanaryVerdictRecord>> CanaryJudge::JudgeOnce() {
  auto active = store_.ActiveModels();
  if (!active.ok()) return active.error();
  std::vector<CanaryVerdictRecord> done;
  for (const store::ModelRow& row : *active) {
    if (row.state() != store::ModelState::kCanary) continue;
    auto outcomes = store_.GetCanaryOutcomes(row.task_id);
    if (!outcomes.ok()) return outcomes.error();
    const CanaryDecision decision = DecideCanary(
        {outcomes->candidate_wins, outcomes->current_wins, outcomes->no_picks}, options_);
    if (decision.verdict == CanaryVerdict::kContinue) continue;
    const bool promote = decision.verdict == CanaryVerdict::kPromote;
    // The model's evidence keeps its offline comparison next to the live one.
    auto evidence = nlohmann::json::parse(row.evidence, nullptr, /*allow_exceptions=*/false);
    if (!evidence.is_object()) evidence = nlohmann::json::object();
    evidence["canary"] = decision.evidence;
    Status st = store_.TransitionModel(
        {.model_id = row.task_id,
         .from = store::ModelState::kCanary,
         .to = promote ? store::ModelState::kPromoted : store::ModelState::kRolledBack,
         .reason = "canary: " + decision.reason,
         .evidence = evidence.dump(),
         .use_percentage = promote ? 1.0 : 0.0});
    if (!st.ok() && st.error().code == ErrorCode::kConflict) continue;  // another process did
    if (!st.ok()) return st.error();
    spdlog::info("canary {}: {}: {}", row.task_id, promote ? "promoted" : "rolled back",
                 decision.reason);
    done.push_back({row.task_id, decision});
  }
  if (!done.empty() && on_verdict_) on_verdict_();
  return done;
}

void CanaryJudge::Start(std::chrono::milliseconds interval) {
  periodic_.Start(interval, [this] {
    if (auto r = JudgeOnce(); !r.ok()) spdlog::warn("canary judge: {}", r.error().message);
  });
}

}  // namespace mlprod::tasks
