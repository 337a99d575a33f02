#include "ml/model.h"

#include <cstdlib>
#include <iostream>

namespace mlprod::ml {

Model::Model(MinMaxScaler scaler, SelectedFeatures selected, MlpParams<float> weights,
             ModelMetadata metadata)
    : scaler_(scaler), selected_(selected), weights_(weights), metadata_(std::move(metadata)) {
  for (int i = 0; i < kMlpInputs; ++i) {
    const bool in_range = selected_[i] >= 0 && selected_[i] < kNumFeatures;
    if (!in_range || (i > 0 && selected_[i] <= selected_[i - 1])) {
      std::cerr << "fatal: Model selected features must ascend within [0, " << kNumFeatures
                << ")\n";
      std::abort();
    }
  }
}

Eigen::Matrix<float, kMlpInputs, Eigen::Dynamic> Model::Prepare(const FeatureMatrix& x) const {
  Eigen::Matrix<float, kMlpInputs, Eigen::Dynamic> out(kMlpInputs, x.rows());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (int i = 0; i < kMlpInputs; ++i) {
      const int f = selected_[i];
      out(i, r) = static_cast<float>(scaler_.Apply(f, x(r, f)));
    }
  }
  return out;
}

std::vector<float> Model::Predict(const FeatureMatrix& x) const {
  std::vector<float> out(static_cast<std::size_t>(x.rows()));
  // Chunks bound the temporaries when a whole data set is evaluated at once.
  constexpr Eigen::Index kChunk = 4096;
  for (Eigen::Index begin = 0; begin < x.rows(); begin += kChunk) {
    const Eigen::Index n = std::min(kChunk, x.rows() - begin);
    const auto p = MlpForward(weights_, Prepare(x.middleRows(begin, n)));
    for (Eigen::Index i = 0; i < n; ++i) out[static_cast<std::size_t>(begin + i)] = p(0, i);
  }
  return out;
}

Metrics Evaluate(const Model& model, const Dataset& data) {
  const auto scores = model.Predict(data.x);
  return ComputeMetrics(scores, data.y);
}

}  // namespace mlprod::ml
