#include "metrics/model_feedback_metrics.h"

#include <algorithm>

namespace mlprod::metrics {

std::vector<double> PickPositionBuckets() { return {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}; }

ModelFeedbackMetrics::ModelFeedbackMetrics(prometheus::Registry& registry, std::string app_name,
                                           std::size_t max_models)
    : app_name_(std::move(app_name)),
      max_models_(std::max<std::size_t>(1, max_models)),
      feedback_family_(prometheus::BuildCounter()
                           .Name("api_model_feedback_total")
                           .Help("First answers to result lists per model: outcome pick or "
                                 "no_pick (counted once per task)")
                           .Register(registry)),
      position_family_(prometheus::BuildHistogram()
                           .Name("api_model_pick_position")
                           .Help("0-based position of the picked location in the shown list per "
                                 "model; 10 (+Inf bucket) = beyond the list")
                           .Register(registry)) {}

ModelFeedbackMetrics::Series& ModelFeedbackMetrics::Find(const std::string& model_id) {
  for (Series& s : series_) {
    if (s.model_id == model_id) return s;
  }
  if (series_.size() >= max_models_) {
    auto oldest = std::min_element(
        series_.begin(), series_.end(),
        [](const auto& a, const auto& b) { return a.last_update < b.last_update; });
    feedback_family_.Remove(oldest->picks);
    feedback_family_.Remove(oldest->no_picks);
    position_family_.Remove(oldest->position);
    series_.erase(oldest);
  }
  // Both outcomes from the first answer on, so a pick rate has its denominator's series.
  series_.push_back(Series{
      model_id,
      &feedback_family_.Add({{"model_id", model_id}, {"outcome", "pick"}, {"app_name", app_name_}}),
      &feedback_family_.Add(
          {{"model_id", model_id}, {"outcome", "no_pick"}, {"app_name", app_name_}}),
      &position_family_.Add({{"model_id", model_id}, {"app_name", app_name_}},
                            PickPositionBuckets()),
      0});
  return series_.back();
}

void ModelFeedbackMetrics::Record(const std::string& model_id, int position) {
  MutexLock lock(mu_);
  Series& s = Find(model_id);
  s.last_update = ++clock_;
  if (position < 0) {
    s.no_picks->Increment();
    return;
  }
  s.picks->Increment();
  s.position->Observe(static_cast<double>(position));
}

std::vector<std::string> ModelFeedbackMetrics::TrackedModels() const {
  MutexLock lock(mu_);
  std::vector<const Series*> sorted;
  for (const Series& s : series_) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const Series* a, const Series* b) { return a->last_update > b->last_update; });
  std::vector<std::string> out;
  for (const Series* s : sorted) out.push_back(s->model_id);
  return out;
}

}  // namespace mlprod::metrics
