#include "ml/input_profile_json.h"

#include <string>

namespace mlprod::ml {

using nlohmann::json;

json InputProfileJson(const InputProfile& profile) {
  json features = json::array();
  for (int f = 0; f < kNumUserFeatures; ++f) {
    const FeatureReference& ref = profile.features[f];
    features.push_back({{"name", std::string(FeatureNames()[f])},
                        {"mean", ref.mean},
                        {"edges", ref.edges},
                        {"proportions", ref.proportions}});
  }
  return {{"binning", "quantile"}, {"rows", profile.rows}, {"features", features}};
}

Result<InputProfile> ReadInputProfile(const json& j) {
  auto bad = [](const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, "input_profile: " + what);
  };
  try {
    InputProfile profile;
    profile.rows = j.at("rows").get<std::int64_t>();
    const json& features = j.at("features");
    if (!features.is_array() || features.size() != static_cast<std::size_t>(kNumUserFeatures)) {
      return bad("needs " + std::to_string(kNumUserFeatures) + " features");
    }
    for (int f = 0; f < kNumUserFeatures; ++f) {
      const json& fj = features[static_cast<std::size_t>(f)];
      const auto name = fj.at("name").get<std::string>();
      if (name != FeatureNames()[f]) {
        return bad("feature " + std::to_string(f) + " is '" + name + "', expected '" +
                   std::string(FeatureNames()[f]) + "'");
      }
      FeatureReference& ref = profile.features[f];
      ref.mean = fj.at("mean").get<double>();
      ref.edges = fj.at("edges").get<std::vector<double>>();
      ref.proportions = fj.at("proportions").get<std::vector<double>>();
    }
    if (auto st = ValidateInputProfile(profile); !st.ok()) return st.error();
    return profile;
  } catch (const json::exception& e) {
    return bad("missing or mistyped field (" + std::string(e.what()) + ")");
  }
}

}  // namespace mlprod::ml
