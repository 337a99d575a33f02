// Proves the scoring hot path and a training step allocate nothing, by counting calls to the
// global operator new in this test binary (a separate executable so no other test sees it).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "ml/adam.h"
#include "ml/scorer.h"
#include "ml/test_data.h"
#include "ml/train.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// Memory allocated before main by the sanitizer runtime's own operator new may come back through
// this delete (free); that pairing is deliberate here, not a bug for ASan to report.
extern "C" const char* __asan_default_options() { return "alloc_dealloc_mismatch=0"; }
#endif

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace mlprod::ml {
namespace {

TEST(NoAllocation, ScoringAUserAllocatesNothing) {
  const auto model = std::make_shared<const Model>(
      Train(testing::RandomDataset(200, 3), TrainOptions{.epochs = 1}).value());
  Rng rng(5);
  std::vector<Location> locations;
  for (int i = 0; i < 210; ++i) locations.push_back(testing::RandomLocation(rng, i));
  const auto scorer = LocationScorer::Create(model, locations);
  const User user = testing::RandomUser(rng);
  std::vector<float> scores(locations.size());
  const long before = g_allocations.load();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(scorer->Score(user, scores).ok());
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_GT(scores[0], 0.0f);
}

TEST(NoAllocation, ATrainingStepAllocatesNothing) {
  Rng rng(1);
  auto params = InitMlp<float>(rng);
  auto grad = MlpParams<float>::Zero();
  Adam<float> adam(AdamOptions{});
  MlpTape<float, 8> tape;
  Eigen::Matrix<float, kMlpInputs, 8> x = Eigen::Matrix<float, kMlpInputs, 8>::Constant(0.5f);
  Eigen::Matrix<float, 1, 8> y;
  y << 0, 0, 0, 0, 1, 1, 1, 1;
  Eigen::Matrix<float, kMlpHidden1, 8> keep = Eigen::Matrix<float, kMlpHidden1, 8>::Ones();
  const long before = g_allocations.load();
  float loss = 0;
  for (int i = 0; i < 10; ++i) {
    loss += LossAndGradient(params, x, y, keep, tape, grad);
    adam.Step(params, grad);
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_GT(loss, 0.0f);
}

}  // namespace
}  // namespace mlprod::ml
