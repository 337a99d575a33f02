#include "ml/model_io.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "ml/input_profile_json.h"
#include "ml/weights_file.h"

namespace mlprod::ml {

using nlohmann::json;

namespace {

constexpr char kFormatName[] = "mlprod-model";

// NaN has no JSON spelling; it is written as null and read back as NaN.
json Number(double v) { return std::isnan(v) ? json(nullptr) : json(v); }
double ReadNumber(const json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

json MetricsJson(const Metrics& m) {
  return {{"acc", Number(m.acc)},
          {"pre", Number(m.pre)},
          {"rec", Number(m.rec)},
          {"f1", Number(m.f1)},
          {"auc", Number(m.auc)}};
}
Metrics ReadMetrics(const json& j) {
  return {ReadNumber(j.at("acc")), ReadNumber(j.at("pre")), ReadNumber(j.at("rec")),
          ReadNumber(j.at("f1")), ReadNumber(j.at("auc"))};
}

std::string Hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Everything that must hold for model.json to describe a usable model; throws json exceptions
// on missing keys or wrong types, which the caller turns into kDataLoss.
Result<Model> DecodeJson(const json& j, std::string_view weights, const std::string& where,
                         const std::string& weights_where) {
  auto bad = [&where](const std::string& what) {
    return MakeError(ErrorCode::kDataLoss, where + ": " + what);
  };
  if (j.at("format").get<std::string>() != kFormatName) return bad("not an mlprod model file");
  const int version = j.at("format_version").get<int>();
  if (version != kModelFormatVersion) {
    return bad("format_version " + std::to_string(version) +
               " is not supported (this build reads " + std::to_string(kModelFormatVersion) + ")");
  }
  const auto features = j.at("features").get<std::vector<std::string>>();
  if (features.size() != static_cast<std::size_t>(kNumFeatures)) {
    return bad("has " + std::to_string(features.size()) + " features, expected " +
               std::to_string(kNumFeatures));
  }
  for (int f = 0; f < kNumFeatures; ++f) {
    if (features[f] != FeatureNames()[f]) {
      return bad("feature " + std::to_string(f) + " is '" + features[f] + "', expected '" +
                 std::string(FeatureNames()[f]) + "'");
    }
  }
  const auto chosen = j.at("selected_features").get<std::vector<int>>();
  if (chosen.size() != static_cast<std::size_t>(kMlpInputs)) {
    return bad("selects " + std::to_string(chosen.size()) + " features, the network takes " +
               std::to_string(kMlpInputs));
  }
  SelectedFeatures selected{};
  for (int i = 0; i < kMlpInputs; ++i) {
    selected[i] = chosen[i];
    if (chosen[i] < 0 || chosen[i] >= kNumFeatures || (i > 0 && chosen[i] <= chosen[i - 1])) {
      return bad("selected_features must be ascending indices below " +
                 std::to_string(kNumFeatures));
    }
  }
  const auto& scaler_json = j.at("scaler");
  const auto mins = scaler_json.at("data_min").get<std::vector<double>>();
  const auto maxs = scaler_json.at("data_max").get<std::vector<double>>();
  if (mins.size() != static_cast<std::size_t>(kNumFeatures) || mins.size() != maxs.size()) {
    return bad("scaler needs " + std::to_string(kNumFeatures) + " data_min and data_max values");
  }
  MinMaxScaler scaler;
  for (int f = 0; f < kNumFeatures; ++f) {
    if (!std::isfinite(mins[f]) || !std::isfinite(maxs[f]) || maxs[f] < mins[f]) {
      return bad("scaler range of feature '" + features[f] + "' is not a finite [min, max]");
    }
    scaler.data_min[f] = mins[f];
    scaler.data_max[f] = maxs[f];
  }
  const auto& layers = j.at("layers");
  const int shapes[3][2] = {
      {kMlpInputs, kMlpHidden1}, {kMlpHidden1, kMlpHidden2}, {kMlpHidden2, 1}};
  if (!layers.is_array() || layers.size() != 3) return bad("expected 3 layers");
  for (int i = 0; i < 3; ++i) {
    const int in = layers[i].at("inputs").get<int>(), out = layers[i].at("outputs").get<int>();
    if (in != shapes[i][0] || out != shapes[i][1]) {
      return bad("layer " + std::to_string(i + 1) + " is " + std::to_string(in) + "x" +
                 std::to_string(out) + ", this build runs the 20-64-16-1 network");
    }
  }
  const auto& wj = j.at("weights");
  const auto expected_bytes = wj.at("bytes").get<std::size_t>();
  const auto expected_sum = wj.at("fnv1a64").get<std::string>();
  if (weights.size() != expected_bytes) {
    return MakeError(ErrorCode::kDataLoss, weights_where + ": " + std::to_string(weights.size()) +
                                               " bytes, model.json says " +
                                               std::to_string(expected_bytes) +
                                               " (truncated or replaced)");
  }
  const auto actual_sum =
      Fnv1a64({reinterpret_cast<const unsigned char*>(weights.data()), weights.size()});
  if (Hex64(actual_sum) != expected_sum) {
    return MakeError(ErrorCode::kDataLoss, weights_where +
                                               ": checksum differs from model.json (modified, "
                                               "corrupted or from another model)");
  }
  auto params = DecodeWeightsFile(weights, PipelineHash(scaler, selected), weights_where);
  if (!params.ok()) return params.error();

  ModelMetadata meta;
  const auto& t = j.at("training");
  meta.created_at = j.at("created_at").get<std::string>();
  meta.seed = t.at("seed").get<std::uint64_t>();
  meta.epochs = t.at("epochs").get<int>();
  meta.batch_size = t.at("batch_size").get<int>();
  meta.learning_rate = t.at("learning_rate").get<double>();
  meta.dropout = t.at("dropout").get<double>();
  meta.train_records = t.at("train_records").get<std::int64_t>();
  meta.train_positives = t.at("train_positives").get<std::int64_t>();
  meta.test_records = t.at("test_records").get<std::int64_t>();
  meta.test_positives = t.at("test_positives").get<std::int64_t>();
  const auto& chi2 = t.at("chi2_scores");
  if (!chi2.is_array() || chi2.size() != static_cast<std::size_t>(kNumFeatures)) {
    return bad("training.chi2_scores needs " + std::to_string(kNumFeatures) + " values");
  }
  for (int f = 0; f < kNumFeatures; ++f) meta.chi2_scores[f] = ReadNumber(chi2[f]);
  meta.train = ReadMetrics(j.at("metrics").at("train"));
  meta.test = ReadMetrics(j.at("metrics").at("test"));
  // Optional: folders written before drift monitoring have none (still format version 1).
  if (const auto it = j.find("input_profile"); it != j.end() && !it->is_null()) {
    auto profile = ReadInputProfile(*it);
    if (!profile.ok()) return bad(profile.error().message);
    meta.input_profile = std::move(*profile);
  }
  return Model(scaler, selected, *params, std::move(meta));
}

}  // namespace

std::string EncodeWeights(const Model& model) {
  return EncodeWeightsFile(model.weights(), PipelineHash(model.scaler(), model.selected()));
}

std::string EncodeModelJson(const Model& model, std::uint64_t weights_checksum,
                            std::size_t weights_bytes) {
  const auto& m = model.metadata();
  json features = json::array(), selected_names = json::array(), chi2 = json::array();
  for (auto name : FeatureNames()) features.push_back(std::string(name));
  for (int f : model.selected()) selected_names.push_back(std::string(FeatureNames()[f]));
  for (double s : m.chi2_scores) chi2.push_back(Number(s));
  json mins = json::array(), maxs = json::array();
  for (int f = 0; f < kNumFeatures; ++f) {
    mins.push_back(model.scaler().data_min[f]);
    maxs.push_back(model.scaler().data_max[f]);
  }
  json j = {
      {"format", kFormatName},
      {"format_version", kModelFormatVersion},
      {"created_at", m.created_at},
      {"features", features},
      {"selected_features", model.selected()},
      {"selected_feature_names", selected_names},
      {"scaler", {{"type", "minmax"}, {"data_min", mins}, {"data_max", maxs}}},
      {"layers",
       {{{"inputs", kMlpInputs}, {"outputs", kMlpHidden1}, {"activation", "relu"}},
        {{"inputs", kMlpHidden1}, {"outputs", kMlpHidden2}, {"activation", "relu"}},
        {{"inputs", kMlpHidden2}, {"outputs", 1}, {"activation", "sigmoid"}}}},
      {"training",
       {{"seed", m.seed},
        {"epochs", m.epochs},
        {"batch_size", m.batch_size},
        {"learning_rate", m.learning_rate},
        {"dropout", m.dropout},
        {"train_records", m.train_records},
        {"train_positives", m.train_positives},
        {"test_records", m.test_records},
        {"test_positives", m.test_positives},
        {"chi2_scores", chi2}}},
      {"metrics", {{"train", MetricsJson(m.train)}, {"test", MetricsJson(m.test)}}},
      {"weights",
       {{"file", kWeightsName}, {"bytes", weights_bytes}, {"fnv1a64", Hex64(weights_checksum)}}},
  };
  if (m.input_profile) j["input_profile"] = InputProfileJson(*m.input_profile);
  return j.dump(2) + "\n";
}

Result<Model> DecodeModel(std::string_view model_json, std::string_view weights,
                          std::string_view source) {
  const std::string where = std::string(source) + "/" + kModelJsonName;
  const json j = json::parse(model_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(ErrorCode::kDataLoss, where + ": not valid JSON");
  }
  try {
    return DecodeJson(j, weights, where, std::string(source) + "/" + kWeightsName);
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kDataLoss,
                     where + ": missing or mistyped field (" + std::string(e.what()) + ")");
  }
}

std::filesystem::path ResolveModelFolder(const std::filesystem::path& data_dir,
                                         const std::string& stored) {
  const std::filesystem::path p(stored);
  if (p.is_absolute() || data_dir.empty()) return p;
  return data_dir / p;
}

std::string StoredModelFolder(const std::filesystem::path& data_dir,
                              const std::filesystem::path& folder) {
  if (data_dir.empty()) return folder.string();
  auto base = std::filesystem::absolute(data_dir).lexically_normal();
  if (!base.has_filename() && base.has_relative_path()) base = base.parent_path();  // "dir/"
  const auto full = std::filesystem::absolute(folder).lexically_normal();
  const auto rel = full.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return full.string();
  return rel.string();
}

}  // namespace mlprod::ml
