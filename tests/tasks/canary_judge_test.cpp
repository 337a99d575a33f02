#include "tasks/canary_judge.h"

#include <gtest/gtest.h>

#include "tasks/task_fixture.h"

namespace mlprod::tasks {
namespace {

class CanaryJudgeTest : public TaskFixture {
 protected:
  void SetUp() override {
    TaskFixture::SetUp();
    RegisterBaseline(false);
    RegisterSecondModel("cand", "canary", 0.1);
  }

  // n interleaved lists answered: `candidate_wins` of them with a pick of the candidate's item,
  // the rest with a pick of the current model's.
  void Answer(int n, int candidate_wins) {
    for (int t = 0; t < n; ++t) {
      const std::string task_id = NewUuid();
      auto uid = store_->StartInference(dataset_.users[0].user, task_id);
      ASSERT_TRUE(uid.ok());
      std::vector<store::ScoredLocation> scores;
      std::vector<int> ranks;
      std::vector<std::uint8_t> team;
      for (int i = 0; i < 10; ++i) {
        scores.push_back({dataset_.locations[i].location_id, 0.5});
        ranks.push_back(i);
        team.push_back(i % 2);
      }
      ASSERT_TRUE(
          store_->SaveInterleavedResults(task_id, *uid, "baseline", scores, {"cand", ranks, team})
              .ok());
      ASSERT_TRUE(store_->TopResults(task_id, 10).ok());
      const int pick = t < candidate_wins ? 1 : 0;  // location index 1: the candidate's
      ASSERT_TRUE(store_->SelectResult(task_id, dataset_.locations[pick].location_id).ok());
    }
  }

  std::string State(const std::string& id) { return (*store_->GetModel(id))->status; }
};

TEST_F(CanaryJudgeTest, KeepsTheCanaryWhileTheEvidenceIsThin) {
  Answer(20, 12);
  CanaryJudge judge(*store_, {});
  auto done = judge.JudgeOnce();
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_TRUE(done->empty());
  EXPECT_EQ(State("cand"), "canary");
}

TEST_F(CanaryJudgeTest, RollsBackACanaryWhoseItemsLoseAndRecordsTheEvidence) {
  Answer(120, 30);
  CanaryJudge judge(*store_, {});
  auto done = judge.JudgeOnce();
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0].decision.verdict, CanaryVerdict::kRollBack);
  auto row = store_->GetModel("cand");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "rolled_back");
  EXPECT_DOUBLE_EQ((*row)->use_percentage, 0.0);
  EXPECT_NE((*row)->reason.find("candidate won 30 of 120"), std::string::npos) << (*row)->reason;
  const auto evidence = nlohmann::json::parse((*row)->evidence);
  EXPECT_EQ(evidence["canary"]["candidate_wins"], 30);
  EXPECT_EQ(evidence["canary"]["current_wins"], 90);
  EXPECT_EQ(State("baseline"), "promoted");
  // Decided once: a second round finds no canary.
  EXPECT_TRUE(judge.JudgeOnce()->empty());
}

TEST_F(CanaryJudgeTest, PromotesACanaryWhoseItemsWinAndRetiresTheOldModel) {
  Answer(120, 90);
  CanaryJudge judge(*store_, {});
  auto done = judge.JudgeOnce();
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0].decision.verdict, CanaryVerdict::kPromote);
  EXPECT_EQ(State("cand"), "promoted");
  EXPECT_DOUBLE_EQ((*store_->GetModel("cand"))->use_percentage, 1.0);
  EXPECT_EQ(State("baseline"), "retired");
}

TEST_F(CanaryJudgeTest, TwoJudgesOnOneStoreActOnce) {
  Answer(120, 90);
  CanaryJudge a(*store_, {}), b(*store_, {});
  auto first = a.JudgeOnce();
  auto second = b.JudgeOnce();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->size() + second->size(), 1u);
  EXPECT_EQ(store_->ListModelTransitions("cand")->back().to_state, "promoted");
}

TEST_F(CanaryJudgeTest, StartDecidesOnItsOwn) {
  Answer(120, 30);
  CanaryJudge judge(*store_, {});
  judge.Start(std::chrono::milliseconds(10));
  for (int i = 0; i < 500 && State("cand") == "canary"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(State("cand"), "rolled_back");
}

}  // namespace
}  // namespace mlprod::tasks
