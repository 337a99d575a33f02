// The store bounds its waits by the caller's deadline (common/deadline.h): the API's request
// budget cuts both the wait for a connection and a statement's wait for a lock.
#include <chrono>

#include "common/deadline.h"
#include "store_fixture.h"

namespace mlprod::store::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_P(StoreTest, ACallWhoseDeadlinePassedFailsAtOnce) {
  const DeadlineScope spent(SystemClock().SteadyNow() - milliseconds(1));
  const Status st = store_->Ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(st.error().message.find("time budget"), std::string::npos) << st.error().message;
}

TEST_P(StoreTest, AWriteWaitingForALockGivesUpAtTheDeadline) {
  // The store's own bound is a minute: only the deadline can end the wait within the test.
  StoreOptions options;
  options.statement_timeout = seconds(60);
  auto store = OpenAnother(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Ping().ok());  // the session is open before the lock is taken
  auto lock = db_->HoldWriteLock();
  const auto start = SystemClock().SteadyNow();
  Result<std::int64_t> user = 0;
  {
    const DeadlineScope budget(start + milliseconds(500));
    user = store->StartInference(SampleUser("late"), "deadline-task");
  }
  const auto took = SystemClock().SteadyNow() - start;
  EXPECT_FALSE(user.ok());
  // Generous against a loaded machine; without the deadline it would wait the full minute.
  EXPECT_LT(took, seconds(20));
  // Once the lock is gone, the next call (no deadline) gets the full bound back and succeeds.
  lock.reset();
  EXPECT_TRUE(store->StartInference(SampleUser("later"), "deadline-task-2").ok());
}

}  // namespace
}  // namespace mlprod::store::testing
