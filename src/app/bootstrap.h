// First-start preparation shared by `mlprod serve` and `mlprod api`: the synthetic data set, the
// baseline model, the schema, the locations and the baseline's registration. Every step is
// skipped when its product already exists, so a second start reuses everything.
// Not thread-safe: run once, before serving.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.h"
#include "store/store.h"

namespace mlprod::app {

struct BootstrapOptions {
  std::filesystem::path data_dir;    // dataset/ and models/ live here
  std::filesystem::path config_dir;  // user.tsv and location.tsv profile tables
  std::uint64_t seed = 42;           // data set and baseline training seed. Default: 42
  int epochs = 100;                  // baseline training epochs. Default: 100
};

// Generates <data_dir>/dataset/*.tsv and trains <data_dir>/models/baseline when missing (with
// progress on stderr), migrates the schema, loads the locations into an empty store and
// registers the baseline (use_percentage 1.0 when no model is active yet) with its folder
// relative to the data dir; an existing baseline row whose folder does not load (a moved or
// recreated data dir) is pointed at this data dir's baseline.
Status Bootstrap(store::Store& store, const BootstrapOptions& options);

}  // namespace mlprod::app
