// `mlprod dataset`: writes the synthetic data set (SPEC §7) from the profile tables.
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.h"
#include "common/time_util.h"
#include "data/dataset.h"
#include "data/profiles.h"

namespace mlprod::app {
namespace {

struct DatasetFlags {
  std::string out;
  std::string config_dir;
  std::uint64_t seed = 42;
  int users = 1000;
  int locations_per_user = 10;
  std::string start_date = "2026-01-01";
};

int UsageError(const std::string& message) {
  std::cerr << "mlprod dataset: " << message << " (see --help)\n";
  return 2;
}

int RunDataset(const DatasetFlags& f) {
  auto start = ParseDate(f.start_date);
  if (!start.ok()) return UsageError("--start-date: " + start.error().message);
  if (f.users < 1) return UsageError("--users must be at least 1");
  if (f.locations_per_user < 1) return UsageError("--locations-per-user must be at least 1");

  const std::filesystem::path config =
      f.config_dir.empty() ? data::DefaultConfigDir() : std::filesystem::path(f.config_dir);
  std::cerr << "reading profiles from " << config.string() << "\n";
  auto users = data::ReadUserProfiles(config / "user.tsv");
  if (!users.ok()) {
    std::cerr << "mlprod dataset: " << users.error().message << "\n";
    return 1;
  }
  auto locations = data::ReadLocationProfiles(config / "location.tsv");
  if (!locations.ok()) {
    std::cerr << "mlprod dataset: " << locations.error().message << "\n";
    return 1;
  }

  data::DatasetOptions options;
  options.seed = f.seed;
  options.users = f.users;
  options.locations_per_user = f.locations_per_user;
  options.start_date = *start;
  auto dataset = data::GenerateDataset(*users, *locations, options);
  if (!dataset.ok()) {
    std::cerr << "mlprod dataset: " << dataset.error().message << "\n";
    return 1;
  }
  std::size_t positives = 0;
  for (const auto& row : dataset->rows) positives += static_cast<std::size_t>(row.label);
  std::cerr << "generated " << dataset->users.size() << " users, " << dataset->locations.size()
            << " locations, " << dataset->rows.size() << " labelled rows (" << positives
            << " picks, "
            << (dataset->rows.empty() ? 0.0 : 100.0 * positives / dataset->rows.size())
            << "% positive)\n";
  auto written =
      data::WriteDataset(*dataset, f.out, [](std::string_view line) { std::cerr << line << "\n"; });
  if (!written.ok()) {
    std::cerr << "mlprod dataset: " << written.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddDatasetCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<DatasetFlags>();
  auto* sub = root.add_subcommand(
      "dataset",
      "Write the synthetic data set (dataset_users.tsv, dataset_locations.tsv, "
      "dataset_labelled.tsv) from the profile tables user.tsv and location.tsv.");
  sub->add_option("--out", flags->out, "Output directory (created if missing)")->required();
  sub->add_option("--seed", flags->seed, "Random seed; the same seed gives the same bytes")
      ->capture_default_str();
  sub->add_option("--users", flags->users, "Labelled users, sampled with replacement (>= 1)")
      ->capture_default_str();
  sub->add_option("--locations-per-user", flags->locations_per_user,
                  "Locations shown to each labelled user, sampled with replacement (>= 1)")
      ->capture_default_str();
  sub->add_option(
         "--start-date", flags->start_date,
         "First day of the booking window (YYYY-MM-DD); arrivals fall 1..29 days later by default")
      ->capture_default_str();
  sub->add_option("--config-dir", flags->config_dir,
                  "Directory with user.tsv and location.tsv [default: config/ in the working "
                  "directory, else " +
                      data::SourceConfigDir().string() + "]");
  sub->callback([flags, &run] { run = [flags] { return RunDataset(*flags); }; });
}

}  // namespace mlprod::app
