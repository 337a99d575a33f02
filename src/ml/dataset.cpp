#include "ml/dataset.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/tsv.h"

namespace mlprod::ml {

std::int64_t Dataset::positives() const {
  std::int64_t n = 0;
  for (auto v : y) n += v;
  return n;
}

Result<Dataset> ParseLabelledTsv(std::string_view text, std::string_view source_name) {
  auto table = ParseTsv(text, source_name);
  if (!table.ok()) return table.error();
  const std::string source(source_name);
  std::array<int, kNumFeatures> columns{};
  for (int f = 0; f < kNumFeatures; ++f) {
    columns[f] = table->Column(FeatureNames()[f]);
    if (columns[f] < 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       source + ": header has no column '" + std::string(FeatureNames()[f]) +
                           "' (a labelled data set needs the 30 model features and 'label')");
    }
  }
  const int label_column = table->Column("label");
  if (label_column < 0) {
    return MakeError(ErrorCode::kInvalidArgument, source + ": header has no column 'label'");
  }
  if (table->rows.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, source + ": no data rows after the header");
  }
  Dataset data;
  data.x.resize(static_cast<Eigen::Index>(table->rows.size()), kNumFeatures);
  data.y.resize(table->rows.size());
  for (std::size_t r = 0; r < table->rows.size(); ++r) {
    const auto& row = table->rows[r];
    // ParseTsv drops blank lines, so errors count data rows rather than file lines.
    const std::string where = source + ": data row " + std::to_string(r + 1);
    for (int f = 0; f < kNumFeatures; ++f) {
      auto v = ParseDouble(row[columns[f]]);
      if (!v.ok() || !std::isfinite(*v)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         where + ", column '" + std::string(FeatureNames()[f]) +
                             "': not a finite number: '" + row[columns[f]] + "'");
      }
      data.x(static_cast<Eigen::Index>(r), f) = *v;
    }
    auto label = ParseDouble(row[label_column]);
    if (!label.ok() || (*label != 0.0 && *label != 1.0)) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          where + ", column 'label': expected 0 or 1, got '" + row[label_column] + "'");
    }
    data.y[r] = static_cast<std::int8_t>(*label);
  }
  return data;
}

Result<Dataset> ReadLabelledTsv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot open " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kUnavailable, "cannot read " + path.string());
  return ParseLabelledTsv(text.str(), path.string());
}

Result<Dataset> DatasetFromExamples(std::span<const LabelledExample> examples) {
  Dataset data;
  data.x.resize(static_cast<Eigen::Index>(examples.size()), kNumFeatures);
  data.y.resize(examples.size());
  std::array<double, kNumFeatures> row{};
  for (std::size_t i = 0; i < examples.size(); ++i) {
    const auto& e = examples[i];
    if (e.label != 0 && e.label != 1) {
      return MakeError(ErrorCode::kInvalidArgument, "example " + std::to_string(i) +
                                                        ": label must be 0 or 1, got " +
                                                        std::to_string(e.label));
    }
    UserFeatures(e.user, std::span<double, kNumUserFeatures>(row.data(), kNumUserFeatures));
    LocationFeatures(e.location, std::span<double, kNumLocationFeatures>(
                                     row.data() + kNumUserFeatures, kNumLocationFeatures));
    for (int f = 0; f < kNumFeatures; ++f) data.x(static_cast<Eigen::Index>(i), f) = row[f];
    data.y[i] = static_cast<std::int8_t>(e.label);
  }
  return data;
}

Dataset SliceRows(const Dataset& data, std::int64_t begin, std::int64_t end) {
  if (begin < 0 || end < begin || end > data.rows()) {
    std::cerr << "fatal: SliceRows [" << begin << ", " << end << ") outside " << data.rows()
              << " rows\n";
    std::abort();
  }
  Dataset out;
  out.x = data.x.middleRows(begin, end - begin);
  out.y.assign(data.y.begin() + begin, data.y.begin() + end);
  return out;
}

TrainTestSplit SplitHeadTail(const Dataset& data, double test_fraction) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
    std::cerr << "fatal: SplitHeadTail test_fraction " << test_fraction << " not in [0, 1)\n";
    std::abort();
  }
  const auto n = data.rows();
  const auto test_rows =
      static_cast<std::int64_t>(std::llround(static_cast<double>(n) * test_fraction));
  return {SliceRows(data, 0, n - test_rows), SliceRows(data, n - test_rows, n)};
}

}  // namespace mlprod::ml
