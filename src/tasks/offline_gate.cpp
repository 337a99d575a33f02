#include "tasks/offline_gate.h"

#include <spdlog/fmt/fmt.h>
#include <cmath>
#include <filesystem>

#include "ml/metrics.h"

namespace mlprod::tasks {
namespace {

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json MetricsJson(const ml::Metrics& m) {
  return {{"acc", Num(m.acc)},
          {"pre", Num(m.pre)},
          {"rec", Num(m.rec)},
          {"f1", Num(m.f1)},
          {"auc", Num(m.auc)}};
}

}  // namespace

Result<ReferenceData> LoadReferenceData(const std::filesystem::path& labelled_tsv,
                                        double test_fraction) {
  std::error_code ec;
  if (!std::filesystem::exists(labelled_tsv, ec)) {
    return MakeError(ErrorCode::kNotFound,
                     "reference data set " + labelled_tsv.string() +
                         " not found: the offline gate needs the generator-labelled holdout "
                         "that the first start writes into --data-dir");
  }
  auto data = ml::ReadLabelledTsv(labelled_tsv);
  if (!data.ok()) return data.error();
  auto split = ml::SplitHeadTail(*data, test_fraction);
  const auto pos = split.test.positives();
  if (pos == 0 || pos == split.test.rows()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     labelled_tsv.string() + ": the holdout (" + std::to_string(split.test.rows()) +
                         " rows) needs picks and non-picks, has " + std::to_string(pos) + " picks");
  }
  return ReferenceData{std::move(split.train), std::move(split.test)};
}

GateDecision OfflineGate(const ml::Model& current, const std::string& current_id,
                         const ml::Model& candidate, const ml::Dataset& holdout, double margin) {
  GateDecision d;
  const ml::Metrics old_m = ml::Evaluate(current, holdout);
  const ml::Metrics new_m = ml::Evaluate(candidate, holdout);
  nlohmann::json cur = MetricsJson(old_m);
  cur["model_id"] = current_id;
  d.evidence = {{"rule", fmt::format("candidate holdout ROC AUC > current + {}", margin)},
                {"holdout_rows", holdout.rows()},
                {"holdout_picks", holdout.positives()},
                {"current", std::move(cur)},
                {"candidate", MetricsJson(new_m)}};
  if (!std::isfinite(new_m.auc) || !std::isfinite(old_m.auc)) {
    d.reason = "holdout ROC AUC is undefined (one class in the holdout?)";
    return d;
  }
  d.pass = new_m.auc > old_m.auc + margin;
  d.reason = fmt::format("holdout ROC AUC {:.4f} vs current {} {:.4f} on {} reference rows: {}",
                         new_m.auc, current_id, old_m.auc, holdout.rows(),
                         d.pass ? "passes the offline gate" : "does not beat the current model");
  return d;
}

}  // namespace mlprod::tasks
