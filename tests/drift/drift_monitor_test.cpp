// DriftMonitor: the gauges it publishes (names, labels, when PSI appears), models without an
// input profile, model changes, the window cap, concurrent observers and the publisher thread.
#include "drift/drift_monitor.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <thread>
#include <vector>

#include "ml/rng.h"
#include "ml/test_data.h"

namespace mlprod::drift {
namespace {

using Gauges = std::map<std::string, double>;  // feature label ("" when none) -> value

Gauges Read(prometheus::Registry& registry, const std::string& name) {
  Gauges out;
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      std::string feature;
      for (const auto& l : m.label) {
        if (l.name == "feature") feature = l.value;
      }
      out[feature] = m.gauge.value;
    }
  }
  return out;
}

std::vector<User> Users(int n, std::uint64_t seed, double budget_factor = 1.0) {
  ml::Rng rng(seed);
  std::vector<User> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(ml::testing::RandomUser(rng));
    out.back().budget *= budget_factor;
  }
  return out;
}

std::shared_ptr<const ml::Model> ModelFor(const std::vector<User>& training, bool profile = true) {
  ml::FeatureMatrix x =
      ml::FeatureMatrix::Zero(static_cast<Eigen::Index>(training.size()), ml::kNumFeatures);
  for (std::size_t r = 0; r < training.size(); ++r) {
    std::array<double, ml::kNumUserFeatures> row;
    ml::UserFeatures(training[r], row);
    for (int f = 0; f < ml::kNumUserFeatures; ++f) x(static_cast<Eigen::Index>(r), f) = row[f];
  }
  ml::SelectedFeatures selected;
  for (int i = 0; i < ml::kMlpInputs; ++i) selected[i] = i;
  ml::ModelMetadata meta;
  if (profile) meta.input_profile = ml::ComputeInputProfile(x);
  return std::make_shared<const ml::Model>(ml::MinMaxScaler::Fit(x), selected,
                                           ml::MlpParams<float>::Zero(), meta);
}

DriftOptions Manual(int window = 500) {
  return DriftOptions{.window = window, .min_requests = 100, .publish_interval = {}};
}

class DriftMonitorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = new auto(ModelFor(Users(3000, 1))); }
  static void TearDownTestSuite() { delete model_; }
  static std::shared_ptr<const ml::Model>* model_;
  prometheus::Registry registry_;
};
std::shared_ptr<const ml::Model>* DriftMonitorTest::model_ = nullptr;

TEST_F(DriftMonitorTest, SameDistributionIsStableAndEveryGaugeHasTheFeatureLabel) {
  DriftMonitor monitor(registry_, Manual());
  for (const User& u : Users(500, 2)) monitor.Observe(u, "m1", *model_);
  monitor.Publish();
  EXPECT_EQ(Read(registry_, "drift_window_requests"), (Gauges{{"", 500.0}}));
  const Gauges psi = Read(registry_, "drift_psi");
  ASSERT_EQ(psi.size(), 13u);
  for (const auto& [feature, value] : psi) EXPECT_LT(value, 0.1) << feature;
  EXPECT_EQ(Read(registry_, "drift_input_mean").size(), 13u);
  const Gauges ref = Read(registry_, "drift_reference_mean");
  ASSERT_EQ(ref.size(), 13u);
  EXPECT_NEAR(ref.at("budget"), 550, 20);  // RandomUser: budget uniform in [100, 1000)
  EXPECT_NEAR(Read(registry_, "drift_input_mean").at("budget"), 550, 30);
}

TEST_F(DriftMonitorTest, ShiftedBudgetDriftsOnlyBudget) {
  DriftMonitor monitor(registry_, Manual());
  for (const User& u : Users(500, 3, 3.0)) monitor.Observe(u, "m1", *model_);
  monitor.Publish();
  const Gauges psi = Read(registry_, "drift_psi");
  EXPECT_GT(psi.at("budget"), 0.25);
  EXPECT_LT(psi.at("people_num"), 0.1);
  EXPECT_LT(psi.at("age_std"), 0.1);
}

TEST_F(DriftMonitorTest, NoPsiUntilTheWindowHoldsMinRequests) {
  DriftMonitor monitor(registry_, Manual());
  const auto users = Users(100, 4);
  for (int i = 0; i < 99; ++i) monitor.Observe(users[i], "m1", *model_);
  monitor.Publish();
  EXPECT_TRUE(Read(registry_, "drift_psi").empty());
  EXPECT_EQ(Read(registry_, "drift_input_mean").size(), 13u);
  EXPECT_EQ(Read(registry_, "drift_window_requests").at(""), 99.0);
  monitor.Observe(users[99], "m1", *model_);
  monitor.Publish();
  EXPECT_EQ(Read(registry_, "drift_psi").size(), 13u);
}

TEST_F(DriftMonitorTest, SmallWindowReportsOnceFull) {
  DriftMonitor monitor(registry_, Manual(20));
  for (const User& u : Users(25, 5)) monitor.Observe(u, "m1", *model_);
  monitor.Publish();
  EXPECT_EQ(Read(registry_, "drift_window_requests").at(""), 20.0);
  EXPECT_EQ(Read(registry_, "drift_psi").size(), 13u);
}

TEST_F(DriftMonitorTest, ModelWithoutProfileReportsOnlyInputs) {
  DriftMonitor monitor(registry_, Manual());
  const auto old_model = ModelFor(Users(50, 6), /*profile=*/false);
  for (const User& u : Users(200, 7)) monitor.Observe(u, "old", old_model);
  monitor.Publish();
  EXPECT_TRUE(Read(registry_, "drift_psi").empty());
  EXPECT_TRUE(Read(registry_, "drift_reference_mean").empty());
  EXPECT_EQ(Read(registry_, "drift_input_mean").size(), 13u);
  EXPECT_FALSE(monitor.Snapshot().reference_means.has_value());

  // A promotion to a model with a profile: the window is kept and compared with the new one.
  monitor.Observe(Users(1, 8)[0], "new", *model_);
  monitor.Publish();
  const DriftSnapshot s = monitor.Snapshot();
  EXPECT_EQ(s.model_id, "new");
  EXPECT_EQ(s.window_requests, 201u);
  EXPECT_EQ(Read(registry_, "drift_psi").size(), 13u);
  EXPECT_EQ(Read(registry_, "drift_reference_mean").size(), 13u);

  // And back: the reference gauges disappear again.
  monitor.Observe(Users(1, 9)[0], "old", old_model);
  monitor.Publish();
  EXPECT_TRUE(Read(registry_, "drift_psi").empty());
}

TEST_F(DriftMonitorTest, ConcurrentObserversLoseNoRequest) {
  DriftMonitor monitor(registry_, Manual(100000));
  const auto users = Users(1000, 10);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (const User& u : users) monitor.Observe(u, "m1", *model_);
    });
  }
  for (int i = 0; i < 20; ++i) monitor.Publish();
  for (auto& t : threads) t.join();
  monitor.Publish();
  EXPECT_EQ(Read(registry_, "drift_window_requests").at(""), 4000.0);
}

TEST_F(DriftMonitorTest, PublisherThreadUpdatesTheGauges) {
  DriftMonitor monitor(registry_, DriftOptions{.window = 50,
                                               .min_requests = 10,
                                               .publish_interval = std::chrono::milliseconds(10)});
  for (const User& u : Users(30, 11)) monitor.Observe(u, "m1", *model_);
  // One publication sets the gauges one after the other: wait for all of them, not the first.
  for (int i = 0; i < 300 && (Read(registry_, "drift_window_requests").at("") != 30.0 ||
                              Read(registry_, "drift_psi").size() != 13u);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Read(registry_, "drift_window_requests").at(""), 30.0);
  EXPECT_EQ(Read(registry_, "drift_psi").size(), 13u);
}

}  // namespace
}  // namespace mlprod::drift
