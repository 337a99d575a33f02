// The MLP's backward pass against central finite differences (double precision), and Adam's
// first step against its closed form.
#include <gtest/gtest.h>

#include <cmath>

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

  double Loss(const MlpParams<double>& p) {
    MlpTape<double, kB> tape;
    auto scratch = MlpParams<double>::Zero();
    return LossAndGradient(p, x, y, keep, tape, scratch);
  }
};

TEST(MlpBackward, MatchesFiniteDifferences) {
  Fixture f;
  MlpTape<double, kB> tape;
  auto grad = MlpParams<double>::Zero();
  f.Loss(f.params);
  LossAndGradient(f.params, f.x, f.y, f.keep, tape, grad);

  MlpParams<double> probe = f.params;
  int checked = 0;
  double worst = 0;
  VisitTensors(
      [&](auto& p, const auto& g) {
        for (Eigen::Index i = 0; i < p.size(); ++i) {
          const double saved = p.data()[i];
          const double h = 1e-6;
          p.data()[i] = saved + h;
          const double up = f.Loss(probe);
          p.data()[i] = saved - h;
          const double down = f.Loss(probe);
          p.data()[i] = saved;
          const double numeric = (up - down) / (2 * h);
          const double analytic = g.data()[i];
          const double scale = std::max(std::abs(numeric) + std::abs(analytic), 1e-7);
          worst = std::max(worst, std::abs(numeric - analytic) / scale);
          ++checked;
        }
      },
      probe, grad);
  EXPECT_EQ(checked, 64 * 20 + 64 + 16 * 64 + 16 + 16 + 1);
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
