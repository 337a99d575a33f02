// Pins the scaler, chi2 selection and metrics to scikit-learn: runs tests/ml/sklearn_reference.py
// with /usr/bin/python3 and compares every value to 1e-6.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "ml/metrics.h"
#include "ml/preprocess.h"

#include "test_env.h"

namespace mlprod::ml {
namespace {

using nlohmann::json;

constexpr double kTolerance = 1e-6;

// Runs the reference script; returns nullopt-like discarded json with `why` set on skip.
json RunReference(std::string& why) {
  const std::string script = mlprod::testing::SourceDir() + "/tests/ml/sklearn_reference.py";
  if (!std::filesystem::exists("/usr/bin/python3")) {
    why = "/usr/bin/python3 not found";
    return json(json::value_t::discarded);
  }
  FILE* pipe = popen(("/usr/bin/python3 " + script).c_str(), "r");
  if (!pipe) {
    why = "cannot start /usr/bin/python3";
    return json(json::value_t::discarded);
  }
  std::string out;
  char buf[65536];
  while (std::size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
  const int status = pclose(pipe);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    why = "/usr/bin/python3 lacks scikit-learn (apt-get install python3-sklearn)";
    return json(json::value_t::discarded);
  }
  EXPECT_EQ(status, 0) << "reference script failed: " << script;
  return json::parse(out, nullptr, false);
}

FeatureMatrix ToMatrix(const json& rows) {
  FeatureMatrix x(static_cast<Eigen::Index>(rows.size()), kNumFeatures);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (int f = 0; f < kNumFeatures; ++f) x(static_cast<Eigen::Index>(r), f) = rows[r][f];
  }
  return x;
}

class SklearnReference : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ref_ = RunReference(why);
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_FALSE(ref_.is_discarded()) << "reference script printed no JSON";
    x_ = ToMatrix(ref_["x"]);
    for (int v : ref_["y"]) y_.push_back(static_cast<std::int8_t>(v));
  }
  json ref_;
  FeatureMatrix x_;
  std::vector<std::int8_t> y_;
};

TEST_F(SklearnReference, MinMaxScalerMatchesFitAndTransform) {
  const auto scaler = MinMaxScaler::Fit(x_);
  for (int f = 0; f < kNumFeatures; ++f) {
    EXPECT_NEAR(scaler.data_min[f], ref_["data_min"][f].get<double>(), kTolerance) << f;
    EXPECT_NEAR(scaler.data_max[f], ref_["data_max"][f].get<double>(), kTolerance) << f;
    EXPECT_NEAR(scaler.Scale(f), ref_["scale"][f].get<double>(), kTolerance) << f;
    EXPECT_NEAR(scaler.Offset(f), ref_["offset"][f].get<double>(), kTolerance) << f;
  }
  const FeatureMatrix scaled = scaler.Transform(x_);
  const FeatureMatrix expected = ToMatrix(ref_["x_scaled"]);
  EXPECT_LT((scaled - expected).cwiseAbs().maxCoeff(), kTolerance);
  // Rows outside the fitted range (the test split) scale past [0, 1] exactly as sklearn does.
  const FeatureMatrix test_scaled = scaler.Transform(ToMatrix(ref_["x_test"]));
  EXPECT_LT((test_scaled - ToMatrix(ref_["x_test_scaled"])).cwiseAbs().maxCoeff(), kTolerance);
}

TEST_F(SklearnReference, Chi2ScoresMatchIncludingNaN) {
  const auto scores = Chi2Scores(MinMaxScaler::Fit(x_).Transform(x_), y_);
  ASSERT_TRUE(scores.ok()) << scores.error().message;
  for (int f = 0; f < kNumFeatures; ++f) {
    const auto& want = ref_["chi2"][f];
    if (want.is_null()) {
      EXPECT_TRUE(std::isnan((*scores)[f])) << "feature " << f;
    } else {
      EXPECT_NEAR((*scores)[f], want.get<double>(), kTolerance * std::max(1.0, want.get<double>()))
          << "feature " << f;
    }
  }
  const auto selected = SelectKBest(*scores, 20);
  EXPECT_EQ(selected, ref_["selected"].get<std::vector<int>>());
}

TEST_F(SklearnReference, SelectKBestBreaksTiesLikeSklearn) {
  for (const auto& c : ref_["select_cases"]) {
    std::vector<double> scores;
    for (const auto& s : c["scores"]) {
      scores.push_back(s.is_null() ? std::nan("") : s.get<double>());
    }
    EXPECT_EQ(SelectKBest(scores, c["k"].get<int>()), c["selected"].get<std::vector<int>>())
        << c.dump();
  }
}

TEST_F(SklearnReference, MetricsMatchSklearn) {
  for (const auto& c : ref_["metric_cases"]) {
    std::vector<float> scores;
    std::vector<std::int8_t> labels;
    for (double s : c["scores"]) scores.push_back(static_cast<float>(s));
    for (int l : c["labels"]) labels.push_back(static_cast<std::int8_t>(l));
    const Metrics m = ComputeMetrics(scores, labels);
    EXPECT_NEAR(m.acc, c["acc"].get<double>(), kTolerance) << c.dump();
    EXPECT_NEAR(m.pre, c["pre"].get<double>(), kTolerance) << c.dump();
    EXPECT_NEAR(m.rec, c["rec"].get<double>(), kTolerance) << c.dump();
    EXPECT_NEAR(m.f1, c["f1"].get<double>(), kTolerance) << c.dump();
    EXPECT_NEAR(m.auc, c["auc"].get<double>(), kTolerance) << c.dump();
  }
}

}  // namespace
}  // namespace mlprod::ml
