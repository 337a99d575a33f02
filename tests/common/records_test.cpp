#include "common/records.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/uuid.h"

namespace mlprod {
namespace {

TEST(Records, SetAgesUsesPopulationStandardDeviation) {
  User u;
  std::vector<int> ages{30, 34, 2, 6};
  SetAges(u, ages);
  EXPECT_EQ(u.people_num, 4);
  EXPECT_DOUBLE_EQ(u.age_avg, 18.0);
  EXPECT_DOUBLE_EQ(u.age_std, std::sqrt((144.0 + 256.0 + 256.0 + 144.0) / 4.0));
  EXPECT_EQ(u.age_min, 2);
  EXPECT_EQ(u.age_max, 34);
}

TEST(Uuid, NewUuidIsCanonicalV4AndUnique) {
  const auto a = NewUuid();
  const auto b = NewUuid();
  EXPECT_TRUE(IsUuid(a));
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, b);
  EXPECT_FALSE(IsUuid("not-a-uuid"));
}

}  // namespace
}  // namespace mlprod
