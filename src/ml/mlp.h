// The fixed MLP of SPEC §6: 20 -> 64 (ReLU, inverted dropout in training) -> 16 (ReLU) -> 1
// (sigmoid), with forward/backward passes templated on the scalar (float for training and
// serving, double for gradient checks) and on the batch width. Pure functions over caller-owned
// values; no allocation for fixed batch widths. Not the optimizer (adam.h).
#pragma once

#include <Eigen/Core>
#include <cmath>

#include "ml/rng.h"

namespace mlprod::ml {

inline constexpr int kMlpInputs = 20;  // the k of SelectKBest
inline constexpr int kMlpHidden1 = 64;
inline constexpr int kMlpHidden2 = 16;

template <typename T>
struct MlpParams {
  Eigen::Matrix<T, kMlpHidden1, kMlpInputs> w1;
  Eigen::Matrix<T, kMlpHidden1, 1> b1;
  Eigen::Matrix<T, kMlpHidden2, kMlpHidden1> w2;
  Eigen::Matrix<T, kMlpHidden2, 1> b2;
  Eigen::Matrix<T, 1, kMlpHidden2> w3;
  Eigen::Matrix<T, 1, 1> b3;

  static MlpParams Zero() {
    MlpParams p;
    p.w1.setZero();
    p.b1.setZero();
    p.w2.setZero();
    p.b2.setZero();
    p.w3.setZero();
    p.b3.setZero();
    return p;
  }

  template <typename U>
  MlpParams<U> Cast() const {
    MlpParams<U> out;
    out.w1 = w1.template cast<U>();
    out.b1 = b1.template cast<U>();
    out.w2 = w2.template cast<U>();
    out.b2 = b2.template cast<U>();
    out.w3 = w3.template cast<U>();
    out.b3 = b3.template cast<U>();
    return out;
  }
};

// Calls f with the matching tensor of every argument, tensor by tensor (w1, b1, w2, b2, w3, b3).
template <typename F, typename... P>
void VisitTensors(F&& f, P&... params) {
  f(params.w1...);
  f(params.b1...);
  f(params.w2...);
  f(params.b2...);
  f(params.w3...);
  f(params.b3...);
}

// PyTorch's nn.Linear default: weights and biases uniform in +-1/sqrt(fan_in) (this is what
// kaiming_uniform_ with a=sqrt(5) reduces to).
template <typename T>
MlpParams<T> InitMlp(Rng& rng) {
  MlpParams<T> p;
  auto fill = [&rng](auto& t, int fan_in) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    for (Eigen::Index i = 0; i < t.size(); ++i)
      t.data()[i] = static_cast<T>(rng.Uniform(-bound, bound));
  };
  fill(p.w1, kMlpInputs);
  fill(p.b1, kMlpInputs);
  fill(p.w2, kMlpHidden1);
  fill(p.b2, kMlpHidden1);
  fill(p.w3, kMlpHidden2);
  fill(p.b3, kMlpHidden2);
  return p;
}

// Activations of one forward pass kept for the backward pass; B examples, one per column.
template <typename T, int B>
struct MlpTape {
  Eigen::Matrix<T, kMlpHidden1, B> z1, h1;
  Eigen::Matrix<T, kMlpHidden2, B> z2, h2;
  Eigen::Matrix<T, 1, B> z3;
};

// Mean binary cross-entropy of sigmoid(z) against y, computed from the logits so it never takes
// log(0); and its gradient into `grad`. `keep` is the inverted-dropout mask of the first hidden
// layer (0 or 1/(1-p) per unit; all ones disables dropout). Returns the loss.
template <typename T, int B>
T LossAndGradient(const MlpParams<T>& p, const Eigen::Matrix<T, kMlpInputs, B>& x,
                  const Eigen::Matrix<T, 1, B>& y, const Eigen::Matrix<T, kMlpHidden1, B>& keep,
                  MlpTape<T, B>& tape, MlpParams<T>& grad) {
  tape.z1.noalias() = p.w1.lazyProduct(x);
  tape.z1.colwise() += p.b1;
  // Dropout and ReLU commute for non-negative masks; PyTorch's reference applies dropout first.
  tape.h1 = tape.z1.cwiseMax(T(0)).cwiseProduct(keep);
  tape.z2.noalias() = p.w2.lazyProduct(tape.h1);
  tape.z2.colwise() += p.b2;
  tape.h2 = tape.z2.cwiseMax(T(0));
  tape.z3.noalias() = p.w3.lazyProduct(tape.h2);
  tape.z3.array() += p.b3(0, 0);

  const T inv_b = T(1) / T(B);
  T loss = 0;
  Eigen::Matrix<T, 1, B> dz3;
  for (int j = 0; j < B; ++j) {
    const T z = tape.z3(0, j);
    // softplus(z) - y*z == -[y log s(z) + (1-y) log(1-s(z))]
    loss += std::max(z, T(0)) + std::log1p(std::exp(-std::abs(z))) - y(0, j) * z;
    dz3(0, j) = (T(1) / (T(1) + std::exp(-z)) - y(0, j)) * inv_b;
  }
  grad.w3.noalias() = dz3.lazyProduct(tape.h2.transpose());
  grad.b3(0, 0) = dz3.sum();
  Eigen::Matrix<T, kMlpHidden2, B> dz2 = p.w3.transpose().lazyProduct(dz3);
  dz2 = (tape.z2.array() > T(0)).select(dz2, T(0));
  grad.w2.noalias() = dz2.lazyProduct(tape.h1.transpose());
  grad.b2 = dz2.rowwise().sum();
  Eigen::Matrix<T, kMlpHidden1, B> dz1 = p.w2.transpose().lazyProduct(dz2);
  dz1 = (tape.z1.array() > T(0)).select(dz1.cwiseProduct(keep), T(0));
  grad.w1.noalias() = dz1.lazyProduct(x.transpose());
  grad.b1 = dz1.rowwise().sum();
  return loss * inv_b;
}

// Probabilities for the columns of x (inference: no dropout). Any batch width.
template <typename T, typename Derived>
Eigen::Matrix<T, 1, Eigen::Dynamic> MlpForward(const MlpParams<T>& p,
                                               const Eigen::MatrixBase<Derived>& x) {
  Eigen::Matrix<T, kMlpHidden1, Eigen::Dynamic> h1 = p.w1 * x;
  h1 = (h1.colwise() + p.b1).cwiseMax(T(0));
  Eigen::Matrix<T, kMlpHidden2, Eigen::Dynamic> h2 = p.w2 * h1;
  h2 = (h2.colwise() + p.b2).cwiseMax(T(0));
  Eigen::Matrix<T, 1, Eigen::Dynamic> z = p.w3 * h2;
  return (T(1) / (T(1) + (-(z.array() + p.b3(0, 0))).exp())).matrix();
}

}  // namespace mlprod::ml
