// The acceptance criterion of drift monitoring, without a server: the reference of a model
// trained on the default data set (config/user.tsv, seed 42, the bootstrap's split) against
// windows of users drawn as `mlprod traffic` draws them (profiles in proportion to meta_n).
// Traffic from the training profiles stays below PSI 0.1 on every feature; the noisy profile
// (config/user_noise.tsv) pushes budget, people and age above 0.25.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "data/dataset.h"
#include "data/generate.h"
#include "data/profiles.h"
#include "drift/drift_window.h"
#include "ml/dataset.h"
#include "test_env.h"

namespace mlprod::drift {
namespace {

namespace fs = std::filesystem;

std::vector<data::UserProfile> Profiles(const std::string& file) {
  auto p = data::ReadUserProfiles(fs::path(testing::SourceDir()) / "config" / file);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? *p : std::vector<data::UserProfile>{};
}

// The input profile the baseline model of a fresh `mlprod serve` gets.
ml::InputProfile BaselineProfile() {
  const fs::path config = fs::path(testing::SourceDir()) / "config";
  auto locations = data::ReadLocationProfiles(config / "location.tsv");
  EXPECT_TRUE(locations.ok());
  auto dataset = data::GenerateDataset(Profiles("user.tsv"), *locations, data::DatasetOptions{});
  EXPECT_TRUE(dataset.ok());
  ml::Dataset d;
  d.x.resize(static_cast<Eigen::Index>(dataset->rows.size()), ml::kNumFeatures);
  for (std::size_t r = 0; r < dataset->rows.size(); ++r) {
    const auto& row = dataset->rows[r];
    const auto features =
        data::FeatureRow(dataset->users[row.user].user, dataset->locations[row.location]);
    for (int f = 0; f < ml::kNumFeatures; ++f) d.x(static_cast<Eigen::Index>(r), f) = features[f];
    d.y.push_back(static_cast<std::int8_t>(row.label));
  }
  return ml::ComputeInputProfile(ml::SplitHeadTail(d, 0.2).train.x);
}

// A full window of users drawn as one `mlprod traffic` user does: a profile in proportion to
// meta_n, then GenerateUser.
DriftWindow TrafficWindow(const std::vector<data::UserProfile>& profiles, std::uint64_t seed,
                          std::size_t n = 500) {
  std::vector<double> weights;
  for (const auto& p : profiles) weights.push_back(p.meta_n);
  data::Rng rng(seed);
  const auto start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 28};
  DriftWindow window(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto user = data::GenerateUser(profiles[rng.Weighted(weights)], start, rng);
    UserRow row;
    ml::UserFeatures(user.user, row);
    window.Add(row);
  }
  return window;
}

class ProfileTraffic : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { reference_ = new ml::InputProfile(BaselineProfile()); }
  static void TearDownTestSuite() { delete reference_; }
  static ml::InputProfile* reference_;
};
ml::InputProfile* ProfileTraffic::reference_ = nullptr;

TEST_F(ProfileTraffic, ReferenceIsCloseToThePopulationOfItsProfiles) {
  // The part of the PSI that no window size removes: the data set's ~170 users against the
  // profiles they were drawn from.
  const auto drift = TrafficWindow(Profiles("user.tsv"), 99, 200000).Compare(*reference_);
  for (int f = 0; f < ml::kNumUserFeatures; ++f) {
    EXPECT_LT(drift[f].psi, 0.05) << ml::FeatureNames()[f];
  }
}

TEST_F(ProfileTraffic, TrainingProfilesStayBelowPointOneOnEveryFeature) {
  const auto profiles = Profiles("user.tsv");
  double worst = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const auto drift = TrafficWindow(profiles, seed).Compare(*reference_);
    for (int f = 0; f < ml::kNumUserFeatures; ++f) {
      EXPECT_LT(drift[f].psi, 0.1) << ml::FeatureNames()[f] << " seed " << seed;
      worst = std::max(worst, drift[f].psi);
    }
  }
  std::printf("worst PSI over 200 windows of 500 default-traffic users: %.4f\n", worst);
}

TEST_F(ProfileTraffic, NoisyProfilePushesBudgetPeopleAndAgeAbovePointTwoFive) {
  const auto drift = TrafficWindow(Profiles("user_noise.tsv"), 7).Compare(*reference_);
  for (const char* name : {"budget", "people_num", "age_min", "age_max", "age_std"}) {
    const auto it = std::find(ml::FeatureNames().begin(), ml::FeatureNames().end(), name);
    const auto f = static_cast<int>(it - ml::FeatureNames().begin());
    EXPECT_GT(drift[f].psi, 0.25) << name;
    std::printf("noisy %-10s PSI %.3f\n", name, drift[f].psi);
  }
}

}  // namespace
}  // namespace mlprod::drift
