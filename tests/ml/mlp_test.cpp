// The MLP's double-precision backward pass against central finite differences of the loss
// (taken in long double), and Adam's first step against its closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "ml/adam.h"
#include "ml/mlp.h"

namespace mlprod::ml {
namespace {

constexpr int kB = 8;

struct Fixture {
  Rng rng{11};
  MlpParams<double> params = InitMlp<double>(rng);
  Eigen::Matrix<double, kMlpInputs, kB> x;
  Eigen::Matrix<double, 1, kB> y;
  Eigen::Matrix<double, kMlpHidden1, kB> keep;

  Fixture() {
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Uniform01();
    y << 0, 1, 0, 1, 1, 0, 0, 1;
    // A fixed dropout mask (every third unit dropped, survivors scaled by 1/0.7).
    for (Eigen::Index i = 0; i < keep.size(); ++i) keep.data()[i] = i % 3 == 0 ? 0.0 : 1.0 / 0.7;
    keep.row(5).setZero();  // unit 5 dropped for the whole batch
  }

  // The loss in extended precision, so finite differences are not limited by double rounding.
  long double Loss(const MlpParams<long double>& p) {
    using L = long double;
    MlpTape<L, kB> tape;
    auto scratch = MlpParams<L>::Zero();
    const Eigen::Matrix<L, kMlpInputs, kB> xl = x.cast<L>();
    const Eigen::Matrix<L, 1, kB> yl = y.cast<L>();
    const Eigen::Matrix<L, kMlpHidden1, kB> kl = keep.cast<L>();
    return LossAndGradient(p, xl, yl, kl, tape, scratch);
  }
};

TEST(MlpBackward, MatchesFiniteDifferences) {
  Fixture f;
  MlpTape<double, kB> tape;
  auto grad = MlpParams<double>::Zero();
  LossAndGradient(f.params, f.x, f.y, f.keep, tape, grad);

  // Central differences with a step small enough never to cross a ReLU kink in practice.
  // Relative error |a - n| / (|a| + |n|), floored at 1e-8 so exactly-zero gradients (units
  // that are off for the whole batch) compare absolutely.
  MlpParams<long double> probe = f.params.Cast<long double>();
  int checked = 0;
  double worst = 0;
  VisitTensors(
      [&](auto& p, const auto& g) {
        for (Eigen::Index i = 0; i < p.size(); ++i) {
          const long double saved = p.data()[i];
          const long double h = 1e-6L;
          p.data()[i] = saved + h;
          const long double up = f.Loss(probe);
          p.data()[i] = saved - h;
          const long double down = f.Loss(probe);
          p.data()[i] = saved;
          const double numeric = static_cast<double>((up - down) / (2 * h));
          const double analytic = g.data()[i];
          const double scale = std::max(std::abs(numeric) + std::abs(analytic), 1e-8);
          worst = std::max(worst, std::abs(numeric - analytic) / scale);
          ++checked;
        }
      },
      probe, grad);
  EXPECT_EQ(checked, 64 * 20 + 64 + 16 * 64 + 16 + 16 + 1);
  char worst_text[32];
  std::snprintf(worst_text, sizeof(worst_text), "%.3g", worst);
  RecordProperty("worst_relative_error", worst_text);
  EXPECT_LT(worst, 1e-4);
  // A unit dropped for every example passes no gradient to its incoming weights.
  EXPECT_EQ(grad.w1.row(5).cwiseAbs().sum(), 0.0);
  EXPECT_EQ(grad.b1(5), 0.0);
  EXPECT_GT(grad.w1.row(4).cwiseAbs().sum(), 0.0);
}

TEST(MlpForward, AgreesWithTheTrainingPassWithoutDropout) {
  Fixture f;
  f.keep.setOnes();
  MlpTape<double, kB> tape;
  auto grad = MlpParams<double>::Zero();
  LossAndGradient(f.params, f.x, f.y, f.keep, tape, grad);
  const auto p = MlpForward(f.params, f.x);
  for (int j = 0; j < kB; ++j) {
    EXPECT_NEAR(p(0, j), 1.0 / (1.0 + std::exp(-tape.z3(0, j))), 1e-12);
  }
}

TEST(Adam, FirstStepMovesEachWeightByTheLearningRate) {
  Rng rng(3);
  auto params = InitMlp<double>(rng);
  const auto before = params;
  auto grad = MlpParams<double>::Zero();
  grad.w1.setConstant(0.25);
  grad.b3.setConstant(-4.0);
  Adam<double> adam(AdamOptions{.learning_rate = 0.01});
  adam.Step(params, grad);
  // Bias correction makes the first step lr * g / (|g| + eps).
  EXPECT_NEAR(params.w1(3, 7), before.w1(3, 7) - 0.01 * 0.25 / (0.25 + 1e-8), 1e-12);
  EXPECT_NEAR(params.b3(0, 0), before.b3(0, 0) + 0.01 * 4.0 / (4.0 + 1e-8), 1e-12);
  EXPECT_EQ(params.w2, before.w2);  // zero gradient, zero moments: no move
}

}  // namespace
}  // namespace mlprod::ml
