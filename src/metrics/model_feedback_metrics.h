// Live feedback per model for the API process: api_model_feedback_total{model_id, outcome=
// "pick"|"no_pick", app_name} and the api_model_pick_position histogram (buckets 0..9; a pick
// beyond the list, position 10, lands in +Inf only), with series for a bounded number of model
// ids: the least recently updated model's series are removed first. Thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/mutex.h"

namespace mlprod::metrics {

// Upper bounds 0, 1, ..., 9 of api_model_pick_position.
std::vector<double> PickPositionBuckets();

class ModelFeedbackMetrics {
 public:
  static constexpr std::size_t kDefaultMaxModels = 16;

  // Registers both families in `registry`, which must outlive this object.
  ModelFeedbackMetrics(prometheus::Registry& registry, std::string app_name,
                       std::size_t max_models = kDefaultMaxModels);
  ModelFeedbackMetrics(const ModelFeedbackMetrics&) = delete;
  ModelFeedbackMetrics& operator=(const ModelFeedbackMetrics&) = delete;

  // One counted answer for `model_id`: position -1 is "no pick", 0..10 a pick at that position.
  void Record(const std::string& model_id, int position);

  // Model ids that currently have series, most recently updated first.
  std::vector<std::string> TrackedModels() const;

 private:
  struct Series {
    std::string model_id;
    prometheus::Counter* picks;
    prometheus::Counter* no_picks;
    prometheus::Histogram* position;
    std::uint64_t last_update;
  };
  Series& Find(const std::string& model_id) MLPROD_REQUIRES(mu_);  // adds (and evicts) as needed

  std::string app_name_;
  std::size_t max_models_;
  prometheus::Family<prometheus::Counter>& feedback_family_;
  prometheus::Family<prometheus::Histogram>& position_family_;

  mutable Mutex mu_;
  std::vector<Series> series_ MLPROD_GUARDED_BY(mu_);  // at most max_models_
  std::uint64_t clock_ MLPROD_GUARDED_BY(mu_) = 0;  // update counter for "least recently updated"
};

}  // namespace mlprod::metrics
