// Input drift monitoring (SPEC §8): a sliding window of the user features of the last N scored
// requests, compared per feature with the training data of the active model (PSI against the
// model's input profile, means), published as Prometheus gauges. Thread-safe: Observe may be
// called from any number of inference threads; a background thread publishes the gauges.
#pragma once

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "common/mutex.h"
#include "common/records.h"
#include "drift/drift_window.h"
#include "ml/model.h"

namespace mlprod::drift {

struct DriftOptions {
  int window = 500;  // requests in the sliding window, >= 1. Default: 500
  // PSI is published once the window holds min(min_requests, window) requests: a handful of
  // requests says nothing about a distribution. Default: 100
  int min_requests = 100;
  // How often the background thread recomputes the gauges when requests arrived; 0 starts no
  // thread (call Publish yourself). Default: 500 ms
  std::chrono::milliseconds publish_interval{500};
};

// What the gauges show, for tests and logs.
struct DriftSnapshot {
  std::size_t window_requests = 0;
  std::string model_id;  // the model whose input profile the window is compared with
  std::optional<UserRow> reference_means;  // set when the model has an input profile
  // Set when the window is large enough and the model has an input profile.
  std::optional<std::array<FeatureDrift, ml::kNumUserFeatures>> features;
  std::optional<UserRow> input_means;  // set when the window is not empty
};

class DriftMonitor {
 public:
  // Registers drift_psi{feature}, drift_input_mean{feature}, drift_reference_mean{feature} and
  // drift_window_requests in the registry, which must outlive the monitor.
  DriftMonitor(prometheus::Registry& registry, DriftOptions options);
  ~DriftMonitor();  // stops the publisher thread
  DriftMonitor(const DriftMonitor&) = delete;
  DriftMonitor& operator=(const DriftMonitor&) = delete;

  // Hot path, O(features): adds the user's features to the window. `model` (with its id) is the
  // model the window is compared with from now on; the window itself is kept across model
  // changes, since request inputs do not depend on the model. A model without an input profile
  // (folder written before profiles existed) gets no PSI or reference gauges; logged once.
  void Observe(const User& user, std::string_view model_id,
               const std::shared_ptr<const ml::Model>& model);

  // Recomputes and sets the gauges now.
  void Publish();
  // The statistics as of now (computed, not read from the gauges).
  DriftSnapshot Snapshot() const;

 private:
  void PublishLoop(std::stop_token stop);

  const DriftOptions options_;
  prometheus::Family<prometheus::Gauge>& psi_family_;
  prometheus::Family<prometheus::Gauge>& input_mean_family_;
  prometheus::Family<prometheus::Gauge>& reference_mean_family_;
  prometheus::Gauge& window_requests_;

  mutable Mutex mu_;
  DriftWindow window_ MLPROD_GUARDED_BY(mu_);
  std::shared_ptr<const ml::Model> model_ MLPROD_GUARDED_BY(mu_);
  std::string model_id_ MLPROD_GUARDED_BY(mu_);
  std::set<std::string> warned_no_profile_ MLPROD_GUARDED_BY(mu_);
  bool dirty_ MLPROD_GUARDED_BY(mu_) = false;

  Mutex publish_mu_;  // one Publish at a time
  std::array<prometheus::Gauge*, ml::kNumUserFeatures> psi_ MLPROD_GUARDED_BY(publish_mu_){};
  std::array<prometheus::Gauge*, ml::kNumUserFeatures> input_mean_ MLPROD_GUARDED_BY(publish_mu_){};
  std::array<prometheus::Gauge*, ml::kNumUserFeatures> reference_mean_
      MLPROD_GUARDED_BY(publish_mu_){};

  Mutex wake_mu_;
  std::condition_variable_any wake_;
  std::jthread publisher_;  // last member: started after everything it uses
};

}  // namespace mlprod::drift
