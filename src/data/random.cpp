#include "data/random.h"

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>

namespace mlprod::data {

double Rng::Uniform01() {
  // The top 53 bits fill a double's mantissa exactly, so every value is equally likely.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double Rng::UniformReal(double lo, double hi) {
  if (!(hi > lo)) return lo;
  const double v = lo + (hi - lo) * Uniform01();
  // Rounding can land on hi for wide ranges; keep the upper bound exclusive.
  return v < hi ? v : std::nextafter(hi, lo);
}

std::int64_t Rng::UniformInt(std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) return lo;
  const auto range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  // Reject the top partial bucket so every value has the same number of preimages.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + x % range);
}

bool Rng::Bernoulli(double p) { return Uniform01() < p; }

std::size_t Rng::Index(std::size_t n) {
  if (n == 0) {
    std::cerr << "fatal: Rng::Index called with n == 0\n";
    std::abort();
  }
  return static_cast<std::size_t>(UniformInt(0, static_cast<std::int64_t>(n)));
}

std::size_t Rng::Weighted(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  if (!(total > 0)) {
    std::cerr << "fatal: Rng::Weighted needs a positive weight sum\n";
    std::abort();
  }
  const double target = Uniform01() * total;
  double acc = 0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0) continue;
    acc += weights[i];
    last_positive = i;
    if (target < acc) return i;
  }
  // Floating-point sums can leave target a hair above acc; the last positive weight owns it.
  return last_positive;
}

}  // namespace mlprod::data
