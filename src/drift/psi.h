// The population stability index between two distributions over the same bins. Pure functions;
// thread-safe. Not the binning (ml/input_profile.h) nor the sliding window (drift_window.h).
#pragma once

#include <span>

namespace mlprod::drift {

// Shares below this count as this much, so an empty bin on either side adds a large but finite
// term instead of an infinite one. Default smoothing of Psi.
inline constexpr double kPsiEpsilon = 1e-4;

// PSI = Σ_i (actual_i − expected_i) · ln(actual_i / expected_i), with both shares raised to at
// least epsilon. expected and actual must have the same size (shares of the same bins, each
// summing to 1). 0 for identical distributions; rules of thumb: < 0.1 stable, 0.1–0.25 a moderate
// shift, > 0.25 a significant shift.
double Psi(std::span<const double> expected, std::span<const double> actual,
           double epsilon = kPsiEpsilon);

}  // namespace mlprod::drift
