// The sliding window of drift monitoring: the user features of the last N requests, and their
// statistics against a model's input profile (PSI per feature, means). Not thread-safe: the
// DriftMonitor (drift_monitor.h) guards it.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "ml/features.h"
#include "ml/input_profile.h"

namespace mlprod::drift {

using UserRow = std::array<double, ml::kNumUserFeatures>;

struct FeatureDrift {
  double psi = 0;             // window against the reference bins
  double input_mean = 0;      // mean of the window
  double reference_mean = 0;  // mean of the training rows
};

class DriftWindow {
 public:
  // capacity >= 1: the number of most recent requests kept.
  explicit DriftWindow(std::size_t capacity);

  // O(features): overwrites the oldest row once the window is full.
  void Add(const UserRow& row);
  void Clear();

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return rows_.size(); }

  // Mean of each feature over the window (zeros when empty).
  UserRow Means() const;
  // Per feature: PSI of the window's shares in the reference bins against the reference's
  // shares, and both means. O(size × features × log bins). The window must not be empty.
  std::array<FeatureDrift, ml::kNumUserFeatures> Compare(const ml::InputProfile& reference) const;

 private:
  std::vector<UserRow> rows_;  // ring buffer
  std::size_t next_ = 0;       // where the next row goes
  std::size_t size_ = 0;
};

}  // namespace mlprod::drift
