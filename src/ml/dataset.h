// Labelled examples for training and evaluation: one row of the 30 features (features.h order)
// and a 0/1 label each, read from the labelled TSV or built from store records. Not the scaled
// model input (see preprocess.h). Plain values; safe to share read-only between threads.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "ml/features.h"

namespace mlprod::ml {

using FeatureMatrix = Eigen::Matrix<double, Eigen::Dynamic, kNumFeatures, Eigen::RowMajor>;

struct Dataset {
  FeatureMatrix x;             // one example per row
  std::vector<std::int8_t> y;  // 0 or 1, y.size() == x.rows()

  std::int64_t rows() const { return static_cast<std::int64_t>(y.size()); }
  std::int64_t positives() const;
};

// One row of the store's training view: the user, a location shown to them, and the pick.
struct LabelledExample {
  User user;
  Location location;
  int label = 0;  // 1 when the user picked this location
};

// Reads a labelled TSV: the 30 features and `label` by name (extra columns ignored), or the
// reference's file with people_age ("[34, 5]") giving age_min/max/std (docs/compatibility.md);
// cells are numbers or True/False, labels 0/1 or 0.0/1.0. Errors name file, row and column.
Result<Dataset> ReadLabelledTsv(const std::filesystem::path& path);
Result<Dataset> ParseLabelledTsv(std::string_view text, std::string_view source_name);

// Builds a dataset from store rows; a label other than 0/1 is kInvalidArgument.
Result<Dataset> DatasetFromExamples(std::span<const LabelledExample> examples);

// Rows [begin, end) of the dataset as a new dataset.
Dataset SliceRows(const Dataset& data, std::int64_t begin, std::int64_t end);

// Splits in file order: the first n - round(n * test_fraction) rows train, the rest test.
// test_fraction must be in [0, 1).
struct TrainTestSplit {
  Dataset train;
  Dataset test;
};
TrainTestSplit SplitHeadTail(const Dataset& data, double test_fraction);

}  // namespace mlprod::ml
