// Adam optimizer over MlpParams, step for step as torch.optim.Adam (no weight decay, no amsgrad):
// m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2; p <- p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) +
// eps). One per training run; not thread-safe; allocation-free after construction.
#pragma once

#include <cmath>
#include <cstdint>

#include "ml/mlp.h"

namespace mlprod::ml {

struct AdamOptions {
  double learning_rate = 1e-3;  // Default: 1e-3
  double beta1 = 0.9;           // Default: 0.9
  double beta2 = 0.999;         // Default: 0.999
  double epsilon = 1e-8;        // Default: 1e-8
};

template <typename T>
class Adam {
 public:
  explicit Adam(const AdamOptions& options)
      : options_(options), m_(MlpParams<T>::Zero()), v_(MlpParams<T>::Zero()) {}

  void Step(MlpParams<T>& params, const MlpParams<T>& grad) {
    ++t_;
    const double bc1 = 1.0 - std::pow(options_.beta1, static_cast<double>(t_));
    const double bc2 = 1.0 - std::pow(options_.beta2, static_cast<double>(t_));
    const T b1 = static_cast<T>(options_.beta1), b2 = static_cast<T>(options_.beta2);
    const T step = static_cast<T>(options_.learning_rate / bc1);
    const T inv_sqrt_bc2 = static_cast<T>(1.0 / std::sqrt(bc2));
    const T eps = static_cast<T>(options_.epsilon);
    VisitTensors(
        [&](auto& p, const auto& g, auto& m, auto& v) {
          m.array() = b1 * m.array() + (T(1) - b1) * g.array();
          v.array() = b2 * v.array() + (T(1) - b2) * g.array().square();
          p.array() -= step * m.array() / (v.array().sqrt() * inv_sqrt_bc2 + eps);
        },
        params, grad, m_, v_);
  }

  std::int64_t steps() const { return t_; }

 private:
  AdamOptions options_;
  MlpParams<T> m_, v_;
  std::int64_t t_ = 0;
};

}  // namespace mlprod::ml
