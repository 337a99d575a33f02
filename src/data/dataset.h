// The synthetic data set of `mlprod dataset` (SPEC §7): users and locations drawn from the
// profile tables, then sampled user × location pairs labelled by each user's simulated person.
// Not the command line (app/cmd_dataset.cpp). Deterministic per seed; no shared state.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "common/tsv.h"
#include "data/generate.h"
#include "data/profiles.h"
#include "ml/features.h"

namespace mlprod::data {

// One user × location feature vector in the model's order (ml::FeatureNames(), the header of
// dataset_labelled.tsv before `label`); booleans as 0/1.
std::array<double, ml::kNumFeatures> FeatureRow(const User& user, const Location& location);

struct DatasetOptions {
  std::uint64_t seed = 42;            // Default: 42
  int users = 1000;                   // labelled users, drawn with replacement. Default: 1000
  int locations_per_user = 10;        // locations shown to each, with replacement. Default: 10
  std::chrono::sys_days start_date =  // arrivals fall in (start, start + 30 days)
      std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};  // Default: 2026-01-01
};

struct LabelledRow {
  std::size_t user = 0;      // index into Dataset::users
  std::size_t location = 0;  // index into Dataset::locations
  int label = 0;             // 1 = the simulated person picked it
};

struct Dataset {
  std::vector<UserData> users;            // meta_n per user profile, in table order
  std::vector<std::size_t> user_profile;  // users[i] was drawn from profiles[user_profile[i]]
  std::vector<Location> locations;        // meta_n per location profile; location_id = index + 1
  std::vector<LabelledRow> rows;          // users × locations_per_user, grouped by user
};

// Fails (kInvalidArgument) when a table yields no users or no locations, or counts are negative.
Result<Dataset> GenerateDataset(const std::vector<UserProfile>& user_profiles,
                                const std::vector<LocationProfile>& location_profiles,
                                const DatasetOptions& options);

TsvTable LabelledToTsv(const Dataset& dataset);

// Writes dataset_users.tsv, dataset_locations.tsv and dataset_labelled.tsv into dir (created if
// missing), each atomically. progress, when set, receives one line per file written.
Status WriteDataset(const Dataset& dataset, const std::filesystem::path& dir,
                    const std::function<void(std::string_view)>& progress = {});

}  // namespace mlprod::data
