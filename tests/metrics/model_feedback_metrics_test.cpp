// Per-model live feedback families: outcomes, pick positions, and the bounded set of model ids.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "metrics/api_metrics.h"
#include "metrics/model_feedback_metrics.h"

namespace mlprod::metrics {
namespace {

using Labels = std::map<std::string, std::string>;

const prometheus::ClientMetric* Find(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& family, const Labels& labels) {
  for (const auto& f : families) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      Labels got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got == labels) return &m;
    }
  }
  return nullptr;
}

double Outcome(const prometheus::Registry& r, const std::string& model, const std::string& out) {
  const auto families = r.Collect();
  const auto* m = Find(families, "api_model_feedback_total",
                       {{"model_id", model}, {"outcome", out}, {"app_name", "api"}});
  return m ? m->counter.value : -1;
}

TEST(ModelFeedbackMetrics, CountsOutcomesAndPickPositionsPerModel) {
  prometheus::Registry registry;
  ModelFeedbackMetrics metrics(registry, "api");
  metrics.Record("m1", 0);
  metrics.Record("m1", 3);
  metrics.Record("m1", 10);
  metrics.Record("m1", -1);
  metrics.Record("m2", -1);
  EXPECT_EQ(Outcome(registry, "m1", "pick"), 3);
  EXPECT_EQ(Outcome(registry, "m1", "no_pick"), 1);
  EXPECT_EQ(Outcome(registry, "m2", "pick"), 0);  // exists from the first answer on
  EXPECT_EQ(Outcome(registry, "m2", "no_pick"), 1);

  const auto families = registry.Collect();
  const auto* h =
      Find(families, "api_model_pick_position", {{"model_id", "m1"}, {"app_name", "api"}});
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->histogram.sample_count, 3u);
  EXPECT_DOUBLE_EQ(h->histogram.sample_sum, 13);
  ASSERT_EQ(h->histogram.bucket.size(), 11u);               // le 0..9 and +Inf
  EXPECT_EQ(h->histogram.bucket[0].cumulative_count, 1u);   // le="0"
  EXPECT_EQ(h->histogram.bucket[3].cumulative_count, 2u);   // le="3"
  EXPECT_EQ(h->histogram.bucket[9].cumulative_count, 2u);   // le="9": beyond the list is not in
  EXPECT_EQ(h->histogram.bucket[10].cumulative_count, 3u);  // +Inf
}

TEST(ModelFeedbackMetrics, KeepsSeriesOfTheMostRecentlyUpdatedModelsOnly) {
  prometheus::Registry registry;
  ModelFeedbackMetrics metrics(registry, "api", 3);
  metrics.Record("a", 0);
  metrics.Record("b", 0);
  metrics.Record("c", 0);
  metrics.Record("a", 1);   // a is now newer than b
  metrics.Record("d", -1);  // evicts b, the least recently updated
  EXPECT_EQ(metrics.TrackedModels(), (std::vector<std::string>{"d", "a", "c"}));
  EXPECT_EQ(Outcome(registry, "b", "pick"), -1);
  EXPECT_EQ(Outcome(registry, "b", "no_pick"), -1);
  const auto families = registry.Collect();
  EXPECT_EQ(Find(families, "api_model_pick_position", {{"model_id", "b"}, {"app_name", "api"}}),
            nullptr);
  EXPECT_EQ(Outcome(registry, "a", "pick"), 2);
  EXPECT_EQ(Outcome(registry, "d", "no_pick"), 1);
}

TEST(ModelFeedbackMetrics, DefaultBoundIsSixteenModelsThroughApiMetrics) {
  prometheus::Registry registry;
  ApiMetrics metrics(registry, "api");
  for (int i = 0; i < 40; ++i) metrics.RecordModelFeedback("model-" + std::to_string(i), i % 11);
  EXPECT_EQ(metrics.model_feedback().TrackedModels().size(),
            ModelFeedbackMetrics::kDefaultMaxModels);
  std::size_t series = 0;
  for (const auto& f : registry.Collect()) {
    if (f.name == "api_model_feedback_total") series += f.metric.size();
  }
  EXPECT_EQ(series, 2 * ModelFeedbackMetrics::kDefaultMaxModels);
  EXPECT_EQ(Outcome(registry, "model-39", "pick"), 1);
  EXPECT_EQ(Outcome(registry, "model-0", "pick"), -1);
}

}  // namespace
}  // namespace mlprod::metrics
