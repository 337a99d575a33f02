// The data retention job over the in-memory store (tests/fakes): its cutoff follows the injected
// clock and --retention-days, 0 deletes nothing, of two processes on one database only the lease
// holder deletes, and the walk's position is kept in the store across restarts.
#include "tasks/retention_job.h"

#include <gtest/gtest.h>

#include <deque>

#include "common/uuid.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_store.h"

namespace mlprod::tasks {
namespace {

using Clock = std::chrono::system_clock;

class RetentionJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = fakes::MemoryStore();
    ASSERT_TRUE(store_->Migrate().ok());  // migrated already: a second run changes nothing
    std::vector<Location> locations(3);
    for (int i = 0; i < 3; ++i) locations[static_cast<size_t>(i)].location_id = i + 1;
    ASSERT_TRUE(store_->LoadLocationsIfEmpty(locations).ok());
  }
  // n finished, unanswered loops created now.
  void Loops(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string task = "inf-" + NewUuid();
      auto uid = store_->StartInference(User{}, task);
      ASSERT_TRUE(uid.ok());
      std::vector<store::ScoredLocation> scores{{1, 0.9}, {2, 0.5}, {3, 0.1}};
      ASSERT_TRUE(store_->SaveResults(task, *uid, "baseline", scores).ok());
    }
  }
  // A job whose clock stands `ahead` of the real one, so rows written now look that old.
  RetentionJobOptions Options(int days, std::chrono::hours ahead, std::string holder) {
    RetentionJobOptions o;
    o.retention_days = days;
    o.holder = std::move(holder);
    o.batches.pause = std::chrono::microseconds(0);
    auto& clock = clocks_.emplace_back();
    clock.SetWall(Clock::now() + ahead);
    o.clock = &clock;
    return o;
  }
  long long ResultRows() {
    auto rows = store_->ListResults("", 0, -1);
    return rows.ok() ? static_cast<long long>(rows->size()) : -1;
  }

  std::unique_ptr<store::Store> store_;
  std::deque<mlprod::testing::FakeClock> clocks_;  // one per job, never moved
};

TEST_F(RetentionJobTest, CutoffIsNowMinusTheRetentionDaysInTheStoresFormat) {
  const Clock::time_point now = Clock::time_point(std::chrono::seconds(1'800'000'000));
  EXPECT_EQ(RetentionCutoff(now, 30), "2026-12-16T08:00:00.000000Z");
}

TEST_F(RetentionJobTest, DeletesLoopsOlderThanTheRetentionDaysOnly) {
  Loops(5);
  constexpr std::chrono::hours kDay(24);
  RetentionJob young(*store_, Options(30, 29 * kDay, "a"));  // the loops are 29 days old
  auto none = young.RunOnce();
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->total(), 0);
  EXPECT_EQ(ResultRows(), 15);

  RetentionJob old(*store_, Options(30, 31 * kDay, "a"));  // 31 days old
  auto counts = old.RunOnce();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->inferences, 5);
  EXPECT_EQ(counts->results, 15);
  EXPECT_EQ(counts->users, 5);
  EXPECT_EQ(ResultRows(), 0);
}

TEST_F(RetentionJobTest, ZeroRetentionDaysKeepsEverything) {
  Loops(3);
  int calls = 0;
  RetentionJob job(*store_, Options(0, std::chrono::hours(24 * 365), "a"),
                   [&calls](const store::RetentionCounts&) { ++calls; });
  auto counts = job.RunOnce();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->total(), 0);
  EXPECT_EQ(ResultRows(), 9);
  EXPECT_EQ(calls, 0);
}

TEST_F(RetentionJobTest, OnlyTheLeaseHolderDeletes) {
  Loops(4);
  // The second process shares the first one's store object: the lease is a row of the database,
  // and the jobs hold it under the holder names p1 and p2, as two processes do.
  store::Store& other_store = *store_;
  const auto ahead = std::chrono::hours(24 * 40);
  int reported = 0;
  RetentionJob first(*store_, Options(30, ahead, "p1"),
                     [&reported](const store::RetentionCounts& c) { reported += c.inferences; });
  RetentionJob second(other_store, Options(30, ahead, "p2"));
  // The first process takes the lease with a run that finds nothing old enough...
  RetentionJob idle(*store_, Options(3650, ahead, "p1"));
  ASSERT_TRUE(idle.RunOnce().ok());
  // ...so the second process, not the holder, deletes nothing while the first one does.
  auto skipped = second.RunOnce();
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->total(), 0);
  EXPECT_EQ(ResultRows(), 12);
  auto done = first.RunOnce();
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->inferences, 4);
  EXPECT_EQ(reported, 4);
}

TEST_F(RetentionJobTest, TheWalkGoesOnFromThePositionSavedInTheStore) {
  const auto ahead = std::chrono::hours(24 * 40);
  Loops(3);
  {
    RetentionJob job(*store_, Options(30, ahead, "p1"));
    auto first = job.RunOnce();
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->inferences, 3);
  }
  auto saved = store_->JobProgress(kRetentionLease);
  ASSERT_TRUE(saved.ok());
  EXPECT_GT(DecodeRetentionCursor(*saved).rowid, 0) << *saved;

  // A restart (a new job, another holder once the lease is given up) reads the position: loops
  // behind it are not walked again. Put it beyond the next loops to see that it is read.
  store::RetentionCursor beyond;
  beyond.rowid = 1'000'000'000;
  ASSERT_TRUE(store_->SaveJobProgress(kRetentionLease, EncodeRetentionCursor(beyond)).ok());
  Loops(2);
  {
    RetentionJob restarted(*store_, Options(30, ahead, "p2"));
    auto skipped = restarted.RunOnce();
    ASSERT_TRUE(skipped.ok()) << skipped.error().message;
    EXPECT_EQ(skipped->inferences, 0);
  }
  EXPECT_EQ(ResultRows(), 6);
  // Forgetting the position walks from the start again.
  ASSERT_TRUE(store_->SaveJobProgress(kRetentionLease, "").ok());
  EXPECT_EQ(store_->JobProgress(kRetentionLease).value(), "");
  RetentionJob fresh(*store_, Options(30, ahead, "p3"));
  auto done = fresh.RunOnce();
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->inferences, 2);
}

TEST(RetentionCursorText, RoundTripsAndAnythingElseIsTheStart) {
  store::RetentionCursor pg;
  pg.time = "2026-11-01T00:00:00.000000Z";
  pg.task_id = "0190b2a0-0000-7000-8000-000000000000";
  const store::RetentionCursor back = DecodeRetentionCursor(EncodeRetentionCursor(pg));
  EXPECT_EQ(back.time, pg.time);
  EXPECT_EQ(back.task_id, pg.task_id);
  EXPECT_EQ(back.rowid, 0);
  EXPECT_EQ(EncodeRetentionCursor(store::RetentionCursor{}), "");
  for (const char* text : {"", "not json", "[1]", R"({"rowid":"x"})"}) {
    const store::RetentionCursor start = DecodeRetentionCursor(text);
    EXPECT_EQ(start.rowid, 0) << text;
    EXPECT_TRUE(start.time.empty()) << text;
  }
}

}  // namespace
}  // namespace mlprod::tasks
