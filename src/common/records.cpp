#include "common/records.h"

#include <algorithm>
#include <cmath>

namespace mlprod {

void SetAges(User& user, std::span<const int> ages) {
  user.people_num = static_cast<int>(ages.size());
  if (ages.empty()) {
    user.age_avg = user.age_std = 0;
    user.age_min = user.age_max = 0;
    return;
  }
  double sum = 0;
  for (int a : ages) sum += a;
  const double mean = sum / static_cast<double>(ages.size());
  double sq = 0;
  for (int a : ages) sq += (a - mean) * (a - mean);
  user.age_avg = mean;
  user.age_std = std::sqrt(sq / static_cast<double>(ages.size()));
  auto [lo, hi] = std::minmax_element(ages.begin(), ages.end());
  user.age_min = *lo;
  user.age_max = *hi;
}

}  // namespace mlprod
