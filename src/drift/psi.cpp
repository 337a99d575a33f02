#include "drift/psi.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace mlprod::drift {

double Psi(std::span<const double> expected, std::span<const double> actual, double epsilon) {
  assert(expected.size() == actual.size());
  double psi = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double e = std::max(expected[i], epsilon);
    const double a = std::max(actual[i], epsilon);
    psi += (a - e) * std::log(a / e);
  }
  return psi;
}

}  // namespace mlprod::drift
