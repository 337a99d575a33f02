// Binary classification metrics of predicted probabilities against 0/1 labels: accuracy,
// precision, recall, F1 at a threshold, and ROC AUC from average ranks (Mann-Whitney U), equal to
// sklearn's accuracy_score, precision_score, recall_score, f1_score (zero_division=0) and
// roc_auc_score. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

namespace mlprod::ml {

struct Metrics {
  double acc = 0;  // accuracy
  double pre = 0;  // precision: true positives / predicted positives (0 when none predicted)
  double rec = 0;  // recall: true positives / actual positives (0 when none exist)
  double f1 = 0;   // harmonic mean of precision and recall (0 when both are 0)
  double auc = 0;  // ROC AUC; NaN when only one class is present (sklearn raises there)
};

// A prediction counts as positive when score > threshold (strictly, as the reference does).
// scores.size() == labels.size() > 0.
Metrics ComputeMetrics(std::span<const float> scores, std::span<const std::int8_t> labels,
                       double threshold = 0.5);

// Rank-based ROC AUC with tied scores sharing their average rank; NaN with a single class.
double RocAuc(std::span<const float> scores, std::span<const std::int8_t> labels);

}  // namespace mlprod::ml
