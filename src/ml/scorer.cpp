#include "ml/scorer.h"

#include <array>
#include <cmath>

namespace mlprod::ml {

std::shared_ptr<const LocationScorer> LocationScorer::Create(std::shared_ptr<const Model> model,
                                                             std::span<const Location> locations) {
  std::shared_ptr<LocationScorer> s(new LocationScorer());
  s->model_ = std::move(model);
  const Model& m = *s->model_;
  const auto& w = m.weights();

  std::vector<int> location_inputs;  // positions among the MLP inputs
  for (int i = 0; i < kMlpInputs; ++i) {
    const int f = m.selected()[i];
    if (f < kNumUserFeatures) {
      s->user_features_.push_back(f);
      s->user_scale_.push_back(m.scaler().Scale(f));
      s->user_offset_.push_back(m.scaler().Offset(f));
    } else {
      location_inputs.push_back(i);
    }
  }
  const int user_inputs = static_cast<int>(s->user_features_.size());
  s->user_weights_ = w.w1.leftCols(user_inputs);  // selected indices ascend: user features first

  const auto n = static_cast<Eigen::Index>(locations.size());
  const Eigen::Index padded = (n + kBlock - 1) / kBlock * kBlock;
  s->location_part_.setZero(kMlpHidden1, padded);
  std::array<double, kNumLocationFeatures> raw{};
  Eigen::VectorXf x(location_inputs.size());
  for (Eigen::Index c = 0; c < n; ++c) {
    const Location& loc = locations[static_cast<std::size_t>(c)];
    s->location_ids_.push_back(loc.location_id);
    LocationFeatures(loc, raw);
    for (std::size_t k = 0; k < location_inputs.size(); ++k) {
      const int f = m.selected()[location_inputs[k]];
      x(static_cast<Eigen::Index>(k)) =
          static_cast<float>(m.scaler().Apply(f, raw[f - kNumUserFeatures]));
    }
    s->location_part_.col(c) = w.w1.rightCols(x.size()) * x + w.b1;
  }
  return s;
}

Status LocationScorer::Score(const User& user, std::span<float> out) const {
  if (out.size() != size()) {
    return MakeError(ErrorCode::kInvalidArgument, "score buffer holds " +
                                                      std::to_string(out.size()) + " values for " +
                                                      std::to_string(size()) + " locations");
  }
  std::array<double, kNumUserFeatures> raw{};
  UserFeatures(user, raw);
  Eigen::Matrix<float, kNumUserFeatures, 1> x;
  const int k = static_cast<int>(user_features_.size());
  for (int i = 0; i < k; ++i) {
    x(i) = static_cast<float>(raw[user_features_[i]] * user_scale_[i] + user_offset_[i]);
  }
  const auto& w = model_->weights();
  Eigen::Matrix<float, kMlpHidden1, 1> user_part;
  user_part.noalias() = user_weights_.lazyProduct(x.head(k));
  Block1 h1;
  Eigen::Matrix<float, kMlpHidden2, kBlock> h2;
  Eigen::Matrix<float, 1, kBlock> z;
  const float b3 = w.b3(0, 0);
  for (Eigen::Index c0 = 0; c0 < location_part_.cols(); c0 += kBlock) {
    h1 = (location_part_.middleCols<kBlock>(c0).colwise() + user_part).cwiseMax(0.0f);
    h2.noalias() = w.w2.lazyProduct(h1);
    h2 = (h2.colwise() + w.b2).cwiseMax(0.0f);
    z.noalias() = w.w3.lazyProduct(h2);
    const Eigen::Index valid =
        std::min<Eigen::Index>(kBlock, static_cast<Eigen::Index>(size()) - c0);
    for (Eigen::Index j = 0; j < valid; ++j) {
      out[static_cast<std::size_t>(c0 + j)] = 1.0f / (1.0f + std::exp(-(z(0, j) + b3)));
    }
  }
  return OkStatus();
}

}  // namespace mlprod::ml
