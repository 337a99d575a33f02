// LocationScorer: same scores as the model's batch path, one per location in input order, safe
// to share between threads.
#include <gtest/gtest.h>

#include <thread>

#include "ml/scorer.h"
#include "ml/test_data.h"
#include "ml/train.h"

namespace mlprod::ml {
namespace {

std::shared_ptr<const Model> SmallModel() {
  static const auto model = std::make_shared<const Model>(
      Train(testing::RandomDataset(400, 31), TrainOptions{.epochs = 3}).value());
  return model;
}

TEST(LocationScorer, AgreesWithBatchPrediction) {
  Rng rng(8);
  std::vector<Location> locations;
  for (int i = 0; i < 21; ++i) locations.push_back(testing::RandomLocation(rng, 100 + i));
  const User user = testing::RandomUser(rng);
  const auto scorer = LocationScorer::Create(SmallModel(), locations);
  ASSERT_EQ(scorer->size(), 21u);
  EXPECT_EQ(scorer->location_ids().front(), 100);
  std::vector<float> scores(21);
  ASSERT_TRUE(scorer->Score(user, scores).ok());

  std::vector<LabelledExample> rows;
  for (const auto& l : locations) rows.push_back({user, l, 0});
  const auto expected = SmallModel()->Predict(DatasetFromExamples(rows).value().x);
  for (int i = 0; i < 21; ++i) {
    EXPECT_NEAR(scores[i], expected[i], 1e-6) << i;  // only the summation order differs
  }
}

TEST(LocationScorer, RejectsAWrongSizedBuffer) {
  Rng rng(9);
  std::vector<Location> locations = {testing::RandomLocation(rng, 1)};
  const auto scorer = LocationScorer::Create(SmallModel(), locations);
  std::vector<float> scores(2);
  const auto st = scorer->Score(testing::RandomUser(rng), scores);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
}

TEST(LocationScorer, HandlesNoLocations) {
  const auto scorer = LocationScorer::Create(SmallModel(), {});
  Rng rng(1);
  EXPECT_TRUE(scorer->Score(testing::RandomUser(rng), {}).ok());
}

TEST(LocationScorer, GivesTheSameScoresFromManyThreads) {
  Rng rng(10);
  std::vector<Location> locations;
  for (int i = 0; i < 50; ++i) locations.push_back(testing::RandomLocation(rng, i));
  std::vector<User> users;
  for (int i = 0; i < 4; ++i) users.push_back(testing::RandomUser(rng));
  const auto scorer = LocationScorer::Create(SmallModel(), locations);
  std::vector<std::vector<float>> expected(users.size(), std::vector<float>(50));
  for (std::size_t u = 0; u < users.size(); ++u)
    ASSERT_TRUE(scorer->Score(users[u], expected[u]).ok());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(users.size(), 0);
  for (std::size_t u = 0; u < users.size(); ++u) {
    threads.emplace_back([&, u] {
      std::vector<float> out(50);
      for (int round = 0; round < 200; ++round) {
        (void)scorer->Score(users[u], out);
        mismatches[u] += out != expected[u];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace mlprod::ml
