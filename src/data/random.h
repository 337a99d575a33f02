// A seeded pseudo-random source whose streams are identical on every platform and standard
// library: std::mt19937_64 (fully specified by the standard) with our own mappings to ranges,
// because std::uniform_*_distribution are implementation-defined. Not thread-safe: one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace mlprod::data {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double Uniform01();
  // Uniform in [lo, hi); returns lo when hi <= lo.
  double UniformReal(double lo, double hi);
  // Uniform integer in [lo, hi) without modulo bias; returns lo when hi <= lo.
  std::int64_t UniformInt(std::int64_t lo, std::int64_t hi);
  // True with probability p (p <= 0 never, p >= 1 always).
  bool Bernoulli(double p);
  // Uniform index in [0, n); n must be > 0.
  std::size_t Index(std::size_t n);
  // Index drawn in proportion to non-negative weights; their sum must be > 0.
  std::size_t Weighted(std::span<const double> weights);

 private:
  std::mt19937_64 engine_;
};

}  // namespace mlprod::data
