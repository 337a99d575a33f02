#include "ml/dataset.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "common/age_list.h"
#include "common/tsv.h"

namespace mlprod::ml {

std::int64_t Dataset::positives() const {
  std::int64_t n = 0;
  for (auto v : y) n += v;
  return n;
}

namespace {

// The user features the reference's files do not hold: it derives them from people_age.
constexpr std::array<std::string_view, 3> kAgeFeatures = {"age_min", "age_max", "age_std"};

bool IsAgeFeature(std::string_view name) {
  return std::find(kAgeFeatures.begin(), kAgeFeatures.end(), name) != kAgeFeatures.end();
}

// A feature cell: a number, or a boolean as pandas writes it (True/False, any case).
std::optional<double> FeatureValue(std::string cell) {
  if (auto v = ParseDouble(cell); v.ok() && std::isfinite(*v)) return *v;
  for (char& c : cell) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (cell == "true") return 1.0;
  if (cell == "false") return 0.0;
  return std::nullopt;
}

// Where each feature comes from: its own column, or (reference format) people_age.
struct Layout {
  std::array<int, kNumFeatures> columns{};  // -1: derived from people_age
  int people_age = -1;
  bool ages_from_list = false;  // the reference's format
  int label = -1;
};

Result<Layout> FindLayout(const TsvTable& table, const std::string& source) {
  Layout layout;
  std::string missing_ours, missing_reference;
  for (int f = 0; f < kNumFeatures; ++f) {
    const std::string_view name = FeatureNames()[f];
    layout.columns[f] = table.Column(name);
    if (layout.columns[f] >= 0) continue;
    if (missing_ours.empty()) missing_ours = name;
    if (missing_reference.empty() && !IsAgeFeature(name)) missing_reference = name;
  }
  layout.people_age = table.Column("people_age");
  if (!missing_ours.empty()) {
    if (layout.people_age < 0) missing_reference = "people_age";
    if (!missing_reference.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       source + ": header has no column '" + missing_ours +
                           "' (mlprod's labelled data set: the 30 model features and 'label'), "
                           "nor is it the reference's (people_age in place of age_min, "
                           "age_max and age_std): no column '" +
                           missing_reference + "'");
    }
    // The reference's format: the age statistics come from people_age alone.
    layout.ages_from_list = true;
    for (int f = 0; f < kNumFeatures; ++f) {
      if (IsAgeFeature(FeatureNames()[f])) layout.columns[f] = -1;
    }
  }
  layout.label = table.Column("label");
  if (layout.label < 0) {
    return MakeError(ErrorCode::kInvalidArgument, source + ": header has no column 'label'");
  }
  return layout;
}

}  // namespace

Result<Dataset> ParseLabelledTsv(std::string_view text, std::string_view source_name) {
  auto table = ParseTsv(text, source_name);
  if (!table.ok()) return table.error();
  const std::string source(source_name);
  auto layout = FindLayout(*table, source);
  if (!layout.ok()) return layout.error();
  if (table->rows.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, source + ": no data rows after the header");
  }
  Dataset data;
  data.x.resize(static_cast<Eigen::Index>(table->rows.size()), kNumFeatures);
  data.y.resize(table->rows.size());
  for (std::size_t r = 0; r < table->rows.size(); ++r) {
    const auto& row = table->rows[r];
    const auto x = static_cast<Eigen::Index>(r);
    // ParseTsv drops blank lines, so errors count data rows rather than file lines.
    const std::string where = source + ": data row " + std::to_string(r + 1);
    User ages;
    if (layout->ages_from_list) {
      auto list = ParseAgeList(row[layout->people_age]);
      if (!list.ok()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         where + ", column 'people_age': " + list.error().message);
      }
      SetAges(ages, *list);
    }
    for (int f = 0; f < kNumFeatures; ++f) {
      const std::string_view name = FeatureNames()[f];
      if (layout->columns[f] < 0) {
        data.x(x, f) = name == "age_min"   ? ages.age_min
                       : name == "age_max" ? ages.age_max
                                           : ages.age_std;
        continue;
      }
      const std::string& cell = row[layout->columns[f]];
      auto v = FeatureValue(cell);
      if (!v) {
        return MakeError(ErrorCode::kInvalidArgument, where + ", column '" + std::string(name) +
                                                          "': not a finite number or boolean: '" +
                                                          cell + "'");
      }
      data.x(x, f) = *v;
    }
    const std::string& label_cell = row[layout->label];
    auto label = FeatureValue(label_cell);  // 0/1, 0.0/1.0 (the reference) or False/True
    if (!label || (*label != 0.0 && *label != 1.0)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ", column 'label': expected 0 or 1, got '" + label_cell + "'");
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
