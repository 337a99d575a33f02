#include "common/records.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/age_list.h"
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

TEST(Records, ParseAgeListReadsThePythonListAndTheCommaList) {
  EXPECT_EQ(ParseAgeList("[34, 36, 5]").value(), (std::vector<int>{34, 36, 5}));
  EXPECT_EQ(ParseAgeList("34,36,5").value(), (std::vector<int>{34, 36, 5}));
  EXPECT_EQ(ParseAgeList(" [ 7 ] ").value(), (std::vector<int>{7}));
  for (const char* bad : {"", "[", "[]", "1,,2", "[200]", "1.5", "[1, 2", "-1"}) {
    auto ages = ParseAgeList(bad);
    ASSERT_FALSE(ages.ok()) << bad;
    EXPECT_NE(ages.error().message.find("not a list of ages"), std::string::npos) << bad;
  }
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
