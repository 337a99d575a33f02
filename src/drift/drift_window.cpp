#include "drift/drift_window.h"

#include <cassert>

#include "drift/psi.h"

namespace mlprod::drift {

DriftWindow::DriftWindow(std::size_t capacity) : rows_(capacity) { assert(capacity >= 1); }

void DriftWindow::Add(const UserRow& row) {
  rows_[next_] = row;
  next_ = (next_ + 1) % rows_.size();
  if (size_ < rows_.size()) ++size_;
}

void DriftWindow::Clear() {
  next_ = 0;
  size_ = 0;
}

UserRow DriftWindow::Means() const {
  UserRow sums{};
  // The filled slots are [0, size_) until the buffer wraps, then all of them.
  for (std::size_t r = 0; r < size_; ++r) {
    for (int f = 0; f < ml::kNumUserFeatures; ++f) sums[f] += rows_[r][f];
  }
  if (size_ > 0) {
    for (double& s : sums) s /= static_cast<double>(size_);
  }
  return sums;
}

std::array<FeatureDrift, ml::kNumUserFeatures> DriftWindow::Compare(
    const ml::InputProfile& reference) const {
  assert(size_ > 0);
  std::array<FeatureDrift, ml::kNumUserFeatures> out{};
  const UserRow means = Means();
  std::vector<double> shares;
  for (int f = 0; f < ml::kNumUserFeatures; ++f) {
    const ml::FeatureReference& ref = reference.features[f];
    shares.assign(ref.proportions.size(), 0.0);
    for (std::size_t r = 0; r < size_; ++r) shares[ml::BinIndex(ref.edges, rows_[r][f])] += 1.0;
    for (double& s : shares) s /= static_cast<double>(size_);
    out[f] = FeatureDrift{Psi(ref.proportions, shares), means[f], ref.mean};
  }
  return out;
}

}  // namespace mlprod::drift
