#include "data/dataset.h"

#include "data/labeller.h"
#include "data/random.h"
#include "data/records_tsv.h"
#include "ml/features.h"

namespace mlprod::data {

std::array<double, ml::kNumFeatures> FeatureRow(const User& user, const Location& location) {
  std::array<double, ml::kNumFeatures> row{};
  ml::UserFeatures(user, std::span<double, ml::kNumUserFeatures>(row.data(), ml::kNumUserFeatures));
  ml::LocationFeatures(location, std::span<double, ml::kNumLocationFeatures>(
                                     row.data() + ml::kNumUserFeatures, ml::kNumLocationFeatures));
  return row;
}

Result<Dataset> GenerateDataset(const std::vector<UserProfile>& user_profiles,
                                const std::vector<LocationProfile>& location_profiles,
                                const DatasetOptions& options) {
  if (options.users < 0 || options.locations_per_user < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "users and locations per user must not be negative");
  }
  // One stream for everything, consumed in the reference's order: users, locations, labels.
  Rng rng(options.seed);
  Dataset d;
  for (std::size_t p = 0; p < user_profiles.size(); ++p) {
    for (int i = 0; i < user_profiles[p].meta_n; ++i) {
      d.users.push_back(GenerateUser(user_profiles[p], options.start_date, rng));
      d.user_profile.push_back(p);
    }
  }
  for (const LocationProfile& profile : location_profiles) {
    for (int i = 0; i < profile.meta_n; ++i) {
      d.locations.push_back(GenerateLocation(profile, rng));
      d.locations.back().location_id = static_cast<std::int64_t>(d.locations.size());
    }
  }
  if (d.users.empty() || d.locations.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile tables yield no users or no locations (all meta_n are 0)");
  }
  for (std::size_t i = 0; i < d.users.size(); ++i) {
    d.users[i].user.user_id = static_cast<std::int64_t>(i) + 1;
  }

  d.rows.reserve(static_cast<std::size_t>(options.users) *
                 static_cast<std::size_t>(options.locations_per_user));
  std::vector<Location> shown;
  for (int n = 0; n < options.users; ++n) {
    const std::size_t u = rng.Index(d.users.size());
    const std::size_t first_row = d.rows.size();
    shown.clear();
    for (int k = 0; k < options.locations_per_user; ++k) {
      const std::size_t l = rng.Index(d.locations.size());
      shown.push_back(d.locations[l]);
      d.rows.push_back({u, l, 0});
    }
    const int pick = DecidePick(user_profiles[d.user_profile[u]], d.users[u].user, shown, rng);
    if (pick >= 0) d.rows[first_row + static_cast<std::size_t>(pick)].label = 1;
  }
  return d;
}

TsvTable LabelledToTsv(const Dataset& d) {
  TsvTable t;
  t.header.assign(ml::FeatureNames().begin(), ml::FeatureNames().end());
  t.header.emplace_back("label");
  t.rows.reserve(d.rows.size());
  for (const LabelledRow& row : d.rows) {
    const auto features = FeatureRow(d.users[row.user].user, d.locations[row.location]);
    std::vector<std::string> cells;
    cells.reserve(ml::kNumFeatures + 1);
    for (double v : features) cells.push_back(FormatDouble(v));
    cells.push_back(row.label ? "1" : "0");
    t.rows.push_back(std::move(cells));
  }
  return t;
}

Status WriteDataset(const Dataset& d, const std::filesystem::path& dir,
                    const std::function<void(std::string_view)>& progress) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot create directory " + dir.string() + ": " + ec.message());
  }
  auto write = [&](std::string_view name, const TsvTable& table) -> Status {
    const auto path = dir / name;
    MLPROD_RETURN_IF_ERROR(WriteTsv(path, table));
    if (progress) {
      progress("wrote " + path.string() + " (" + std::to_string(table.rows.size()) + " rows)");
    }
    return OkStatus();
  };
  MLPROD_RETURN_IF_ERROR(write("dataset_users.tsv", UsersToTsv(d.users)));
  MLPROD_RETURN_IF_ERROR(write("dataset_locations.tsv", LocationsToTsv(d.locations)));
  MLPROD_RETURN_IF_ERROR(write("dataset_labelled.tsv", LabelledToTsv(d)));
  return OkStatus();
}

}  // namespace mlprod::data
