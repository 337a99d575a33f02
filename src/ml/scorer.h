// Scoring one user against a fixed set of locations with a model: the location half of the
// first layer (scaled, selected features times their weights, plus bias) is computed once per
// (model, locations) pair; each call adds the user half and runs the rest of the MLP on fixed-
// size Eigen blocks with no heap allocation. Immutable after Create; Score is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "ml/model.h"

namespace mlprod::ml {

class LocationScorer {
 public:
  // Locations are scored in the order given here.
  static std::shared_ptr<const LocationScorer> Create(std::shared_ptr<const Model> model,
                                                      std::span<const Location> locations);

  std::size_t size() const { return location_ids_.size(); }
  const std::vector<std::int64_t>& location_ids() const { return location_ids_; }
  const std::shared_ptr<const Model>& model() const { return model_; }

  // Writes the pick probability of every location for this user into out[0, size()).
  // out.size() != size() is kInvalidArgument. Allocation-free.
  Status Score(const User& user, std::span<float> out) const;

 private:
  static constexpr int kBlock = 8;  // locations per fixed-size block
  using Block1 = Eigen::Matrix<float, kMlpHidden1, kBlock>;

  LocationScorer() = default;

  std::shared_ptr<const Model> model_;
  std::vector<std::int64_t> location_ids_;
  // W1[:, location columns] * x_location + b1, one column per location, padded to whole blocks.
  Eigen::Matrix<float, kMlpHidden1, Eigen::Dynamic> location_part_;
  // Columns of W1 for the selected user features and where they sit among the user features.
  Eigen::Matrix<float, kMlpHidden1, Eigen::Dynamic> user_weights_;
  std::vector<int> user_features_;
  std::vector<double> user_scale_, user_offset_;
};

}  // namespace mlprod::ml
