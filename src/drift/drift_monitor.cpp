#include "drift/drift_monitor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>

namespace mlprod::drift {
namespace {

using prometheus::Family;
using prometheus::Gauge;

// Sets the feature's gauge, adding it first, or removes it when there is no value.
void SetOrRemove(Family<Gauge>& family, Gauge*& gauge, int feature, std::optional<double> value) {
  if (!value) {
    if (gauge != nullptr) family.Remove(gauge);
    gauge = nullptr;
    return;
  }
  if (gauge == nullptr)
    gauge = &family.Add({{"feature", std::string(ml::FeatureNames()[feature])}});
  gauge->Set(*value);
}

}  // namespace

DriftMonitor::DriftMonitor(prometheus::Registry& registry, DriftOptions options)
    : options_(options),
      psi_family_(prometheus::BuildGauge()
                      .Name("drift_psi")
                      .Help("Population stability index of each user input feature: the last "
                            "requests (sliding window) against the active model's training data")
                      .Register(registry)),
      input_mean_family_(prometheus::BuildGauge()
                             .Name("drift_input_mean")
                             .Help("Mean of each user input feature over the sliding window")
                             .Register(registry)),
      reference_mean_family_(prometheus::BuildGauge()
                                 .Name("drift_reference_mean")
                                 .Help("Mean of each user input feature in the active model's "
                                       "training data")
                                 .Register(registry)),
      window_requests_(prometheus::BuildGauge()
                           .Name("drift_window_requests")
                           .Help("Requests in the drift monitor's sliding window")
                           .Register(registry)
                           .Add({})),
      window_(static_cast<std::size_t>(std::max(1, options.window))) {
  if (options_.publish_interval.count() > 0) {
    publisher_ = std::jthread([this](std::stop_token stop) { PublishLoop(stop); });
  }
}

DriftMonitor::~DriftMonitor() {
  if (publisher_.joinable()) {
    publisher_.request_stop();
    publisher_.join();
  }
}

void DriftMonitor::Observe(const User& user, std::string_view model_id,
                           const std::shared_ptr<const ml::Model>& model) {
  UserRow row;
  ml::UserFeatures(user, row);
  const MutexLock lock(mu_);
  window_.Add(row);
  dirty_ = true;
  if (model.get() == model_.get()) return;
  model_ = model;
  model_id_ = std::string(model_id);
  if (model_ && !model_->metadata().input_profile && warned_no_profile_.insert(model_id_).second) {
    spdlog::warn(
        "drift: model {} has no input profile (its folder predates them); drift_psi and "
        "drift_reference_mean are not reported while it is active",
        model_id_);
  }
}

DriftSnapshot DriftMonitor::Snapshot() const {
  DriftSnapshot s;
  const MutexLock lock(mu_);
  s.window_requests = window_.size();
  s.model_id = model_id_;
  const ml::InputProfile* profile =
      model_ && model_->metadata().input_profile ? &*model_->metadata().input_profile : nullptr;
  if (profile != nullptr) {
    s.reference_means.emplace();
    for (int f = 0; f < ml::kNumUserFeatures; ++f)
      (*s.reference_means)[f] = profile->features[f].mean;
  }
  if (window_.size() > 0) s.input_means = window_.Means();
  const auto min_requests = static_cast<std::size_t>(
      std::clamp(options_.min_requests, 1, static_cast<int>(window_.capacity())));
  if (profile != nullptr && window_.size() >= min_requests) s.features = window_.Compare(*profile);
  return s;
}

void DriftMonitor::Publish() {
  const MutexLock publish_lock(publish_mu_);
  {
    const MutexLock lock(mu_);
    dirty_ = false;
  }
  const DriftSnapshot s = Snapshot();
  window_requests_.Set(static_cast<double>(s.window_requests));
  for (int f = 0; f < ml::kNumUserFeatures; ++f) {
    std::optional<double> psi, input_mean, reference_mean;
    if (s.features) psi = (*s.features)[f].psi;
    if (s.input_means) input_mean = (*s.input_means)[f];
    if (s.reference_means) reference_mean = (*s.reference_means)[f];
    SetOrRemove(psi_family_, psi_[f], f, psi);
    SetOrRemove(input_mean_family_, input_mean_[f], f, input_mean);
    SetOrRemove(reference_mean_family_, reference_mean_[f], f, reference_mean);
  }
}

void DriftMonitor::PublishLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      MutexLock lock(wake_mu_);
      wake_.wait_for(lock.native(), stop, options_.publish_interval,
                     []() MLPROD_REQUIRES(wake_mu_) { return false; });
    }
    if (stop.stop_requested()) break;
    bool dirty;
    {
      const MutexLock lock(mu_);
      dirty = dirty_;
    }
    if (dirty) Publish();
  }
}

}  // namespace mlprod::drift
