// Page sizes of the /content lists without ?limit=: the bounded location catalogue answers
// every row (as the reference does), the lists that grow with traffic (users, results) keep the
// page of 100. Explicit paging works on all of them. In-process server over the in-memory store.
#include <gtest/gtest.h>

#include <array>

#include "api_test_env.h"
#include "common/records.h"
#include "fakes/memory_store.h"

namespace mlprod::api::testing {
namespace {

// More rows than the default page, as the reference's catalogue (210 rows) has.
constexpr int kCatalogue = 250;
constexpr int kUsers = 130;

class ContentListsTest : public ApiServerTest {
 protected:
  // Restarts the server on a fresh store holding kCatalogue locations and kUsers users.
  void UseLargeStore() {
    client_.reset();
    server_.reset();
    store_ = fakes::MemoryStore();
    ASSERT_TRUE(store_->Migrate().ok());  // migrated already: a second run changes nothing
    std::vector<Location> locations(kCatalogue);
    for (int i = 0; i < kCatalogue; ++i) {
      locations[i].location_id = i + 1;
      locations[i].price = 40 + i;
    }
    ASSERT_TRUE(store_->LoadLocationsIfEmpty(locations).ok());
    const std::array<int, 2> ages{30, 31};
    for (int i = 0; i < kUsers; ++i) {
      User u;
      u.name = "u" + std::to_string(i);
      SetAges(u, ages);
      u.budget = 900;
      u.time_arrival = "2027-05-01";
      ASSERT_TRUE(store_->StartInference(u, "task-" + std::to_string(i)).ok());
    }
    StartServer(DefaultConfig());
  }

  static std::vector<long long> Ids(const Reply& r, const char* key) {
    std::vector<long long> out;
    for (const auto& row : r.json()) out.push_back(row[key].get<long long>());
    return out;
  }
};

TEST_F(ContentListsTest, LocationsWithoutALimitAnswerTheWholeCatalogue) {
  UseLargeStore();
  const Reply all = client_->Get("/content/locations");
  ASSERT_EQ(all.status, 200) << all.body;
  const auto ids = Ids(all, "location_id");
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kCatalogue));
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(ids.back(), kCatalogue);
  EXPECT_EQ(client_->Get("/content/info").json()["locations"], kCatalogue);
}

TEST_F(ContentListsTest, LocationsStillPageWhenAskedTo) {
  UseLargeStore();
  EXPECT_EQ(Ids(client_->Get("/content/locations?limit=3"), "location_id"),
            (std::vector<long long>{1, 2, 3}));
  // skip or after alone: the rest of the catalogue from there.
  EXPECT_EQ(client_->Get("/content/locations?skip=240").json().size(), 10u);
  EXPECT_EQ(Ids(client_->Get("/content/locations?after=247"), "location_id"),
            (std::vector<long long>{248, 249, 250}));
  EXPECT_EQ(client_->Get("/content/locations?limit=1001").status, 422);
  EXPECT_EQ(client_->Get("/content/locations?limit=0").status, 422);
}

TEST_F(ContentListsTest, UsersKeepThePageOfAHundred) {
  UseLargeStore();
  const Reply page = client_->Get("/content/users");
  ASSERT_EQ(page.status, 200) << page.body;
  const auto ids = Ids(page, "user_id");
  ASSERT_EQ(ids.size(), 100u);
  const Reply rest = client_->Get("/content/users?after=" + std::to_string(ids.back()));
  EXPECT_EQ(rest.json().size(), static_cast<std::size_t>(kUsers - 100));
  EXPECT_EQ(client_->Get("/content/users?limit=1000").json().size(),
            static_cast<std::size_t>(kUsers));
}

}  // namespace
}  // namespace mlprod::api::testing
