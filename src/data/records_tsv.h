// The data set's user and location files (dataset_users.tsv, dataset_locations.tsv) to and from
// User/Location records, and number formatting that round-trips. The server loads the locations
// file into its store on first start. Pure functions; thread-safe.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "common/records.h"
#include "common/result.h"
#include "common/tsv.h"
#include "data/generate.h"

namespace mlprod::data {

// Shortest decimal text that parses back to exactly the same double.
std::string FormatDouble(double value);

// Columns: user_id (1-based row number), name, people_num, children_num, age_avg, age_std,
// age_min, age_max, budget, nights, time_arrival, pool, spa, pet_friendly, lake, mountain, sport,
// people_age (comma-separated ages). Booleans are 0/1. creation_time is the store's to assign.
TsvTable UsersToTsv(std::span<const UserData> users);
// Columns: location_id (1-based row number), lat, lon, then every Location field in
// records.h order. creation_time is the store's to assign.
TsvTable LocationsToTsv(std::span<const Location> locations);

// Reads the files written above. Booleans may be 0/1 or true/false (any case, as pandas writes
// them). Locations: location_id, lat and lon may be missing (reference files), then id = row
// number and coordinates 0. Users: likewise user_id; people_age replaces the age columns when
// they are absent (the reference). Other columns are ignored; errors name file, row, column.
Result<std::vector<User>> ReadUsersTsv(const std::filesystem::path& path);
Result<std::vector<User>> ParseUsersTsv(const TsvTable& table, std::string_view source);
Result<std::vector<Location>> ReadLocationsTsv(const std::filesystem::path& path);
Result<std::vector<Location>> ParseLocationsTsv(const TsvTable& table, std::string_view source);

}  // namespace mlprod::data
