// A trained model: the fitted min-max scaler, the 20 chi2-selected feature indices, the MLP
// weights and the metadata written to model.json. Not file I/O (model_io.h) nor per-request
// scoring (scorer.h). Immutable once shared: hand it out as std::shared_ptr<const Model>; all
// const members are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ml/dataset.h"
#include "ml/input_profile.h"
#include "ml/metrics.h"
#include "ml/mlp.h"
#include "ml/preprocess.h"

namespace mlprod::ml {

struct ModelMetadata {
  std::string created_at;  // ISO-8601 UTC
  std::uint64_t seed = 0;
  int epochs = 0;
  int batch_size = 8;
  double learning_rate = 1e-3;
  double dropout = 0.3;
  std::int64_t train_records = 0;
  std::int64_t train_positives = 0;
  std::int64_t test_records = 0;
  std::int64_t test_positives = 0;
  std::array<double, kNumFeatures> chi2_scores{};  // of the training split; NaN allowed
  Metrics train;                                   // on the training split
  Metrics test;  // on the held-out split (all NaN when there was none)
  // Reference distribution of the user features in the training split, for drift monitoring.
  // Absent in folders written before it existed.
  std::optional<InputProfile> input_profile;
};

using SelectedFeatures = std::array<int, kMlpInputs>;

class Model {
 public:
  // selected must be strictly ascending indices into the 30 features; aborts otherwise.
  Model(MinMaxScaler scaler, SelectedFeatures selected, MlpParams<float> weights,
        ModelMetadata metadata);

  const MinMaxScaler& scaler() const { return scaler_; }
  const SelectedFeatures& selected() const { return selected_; }
  const MlpParams<float>& weights() const { return weights_; }
  const ModelMetadata& metadata() const { return metadata_; }
  ModelMetadata& mutable_metadata() { return metadata_; }

  // Scaled, selected model input for raw feature rows: one column per row of x.
  Eigen::Matrix<float, kMlpInputs, Eigen::Dynamic> Prepare(const FeatureMatrix& x) const;
  // Probability of a pick for every row of x.
  std::vector<float> Predict(const FeatureMatrix& x) const;

 private:
  MinMaxScaler scaler_;
  SelectedFeatures selected_;
  MlpParams<float> weights_;
  ModelMetadata metadata_;
};

// Metrics of the model's predictions over the whole data set (dataset must not be empty).
Metrics Evaluate(const Model& model, const Dataset& data);

}  // namespace mlprod::ml
