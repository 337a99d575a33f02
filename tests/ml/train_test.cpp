// Training end to end on small synthetic data: it learns, it is deterministic for a seed, and it
// reports progress and refuses data it cannot train on.
#include <gtest/gtest.h>

#include <algorithm>

#include "ml/test_data.h"
#include "ml/train.h"

namespace mlprod::ml {
namespace {

TEST(Train, LearnsALearnableRuleAndFillsMetadata) {
  const auto split = SplitHeadTail(testing::RandomDataset(1200, 5), 0.25);
  int calls = 0;
  auto model = TrainAndEvaluate(split.train, split.test, TrainOptions{.epochs = 20, .seed = 9},
                                [&calls](const EpochProgress& p) {
                                  ++calls;
                                  EXPECT_EQ(p.epoch, calls);
                                  EXPECT_EQ(p.epochs, 20);
                                  EXPECT_GT(p.mean_loss, 0.0);
                                  return true;
                                });
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(calls, 20);
  const auto& meta = model->metadata();
  EXPECT_EQ(meta.seed, 9u);
  EXPECT_EQ(meta.train_records, 900);
  EXPECT_EQ(meta.test_records, 300);
  EXPECT_EQ(meta.train_positives, split.train.positives());
  EXPECT_GT(meta.test.auc, 0.9);
  EXPECT_GT(meta.train.auc, 0.9);
  // price (17), pool (4) and has_pool (18) decide the label, so chi2 must keep them.
  const auto& sel = model->selected();
  for (int f : {4, 17, 18}) EXPECT_NE(std::find(sel.begin(), sel.end(), f), sel.end()) << f;
}

TEST(Train, IsDeterministicForASeed) {
  const auto data = testing::RandomDataset(400, 6);
  const auto a = Train(data, TrainOptions{.epochs = 3, .seed = 1});
  const auto b = Train(data, TrainOptions{.epochs = 3, .seed = 1});
  const auto c = Train(data, TrainOptions{.epochs = 3, .seed = 2});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->weights().w1, b->weights().w1);
  EXPECT_EQ(a->weights().b3, b->weights().b3);
  EXPECT_NE(a->weights().w1, c->weights().w1);
}

TEST(Train, StopsWhenProgressSaysSo) {
  const auto data = testing::RandomDataset(200, 7);
  const auto model =
      Train(data, TrainOptions{.epochs = 50}, [](const EpochProgress& p) { return p.epoch < 2; });
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(model.error().message.find("after epoch 2"), std::string::npos);
}

TEST(Train, RejectsDataWithOneClassOrTooFewRows) {
  auto data = testing::RandomDataset(100, 8);
  std::fill(data.y.begin(), data.y.end(), 0);
  auto model = Train(data, TrainOptions{.epochs = 1});
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Train(SliceRows(testing::RandomDataset(100, 8), 0, 5), TrainOptions{}).ok());
  EXPECT_FALSE(Train(testing::RandomDataset(100, 8), TrainOptions{.epochs = 0}).ok());
}

}  // namespace
}  // namespace mlprod::ml
