// Benchmarks of the ML core (docs/benchmarks.md): a full 100-epoch training run on ~8000 rows, and
// scoring one user against 210 locations. Set MLPROD_BENCH_DATA to a labelled TSV (e.g. from
// `mlprod dataset`) to train on it; otherwise a synthetic data set of 10000 rows with the same
// shape and ~8% positives is generated in process.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <vector>

#include "ml/dataset.h"
#include "ml/rng.h"
#include "ml/scorer.h"
#include "ml/test_data.h"
#include "ml/train.h"

namespace {

using namespace mlprod;
using namespace mlprod::ml;
using mlprod::ml::testing::RandomUser;

// Prices up to 3000, the range of the shipped location profiles.
Location RandomLocation(Rng& rng, std::int64_t id) {
  return mlprod::ml::testing::RandomLocation(rng, id, 3000);
}

Dataset BenchData() {
  if (const char* path = std::getenv("MLPROD_BENCH_DATA")) {
    auto data = ReadLabelledTsv(path);
    if (!data.ok()) {
      std::cerr << "MLPROD_BENCH_DATA: " << data.error().message << '\n';
      std::exit(1);
    }
    return *data;
  }
  Rng rng(7);
  std::vector<LabelledExample> rows;
  for (int i = 0; i < 10000; ++i) {
    LabelledExample e{RandomUser(rng), RandomLocation(rng, i + 1), 0};
    const bool affordable = e.location.price < e.user.budget;
    e.label = affordable && e.user.pool == e.location.has_pool && rng.Below(3) == 0 ? 1 : 0;
    rows.push_back(e);
  }
  return *DatasetFromExamples(rows);
}

void BM_Train100Epochs(benchmark::State& state) {
  const Dataset data = BenchData();
  const auto split = SplitHeadTail(data, 0.2);
  for (auto _ : state) {
    auto model = Train(split.train, TrainOptions{});
    if (!model.ok()) state.SkipWithError(model.error().message.c_str());
    benchmark::DoNotOptimize(model);
  }
  state.counters["train_rows"] = static_cast<double>(split.train.rows());
}
BENCHMARK(BM_Train100Epochs)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ScoreUser210Locations(benchmark::State& state) {
  const Dataset data = BenchData();
  auto model = Train(SplitHeadTail(data, 0.2).train, TrainOptions{.epochs = 1});
  Rng rng(3);
  std::vector<Location> locations;
  for (int i = 0; i < 210; ++i) locations.push_back(RandomLocation(rng, i + 1));
  const auto scorer =
      LocationScorer::Create(std::make_shared<const Model>(std::move(*model)), locations);
  const User user = RandomUser(rng);
  std::vector<float> scores(locations.size());
  for (auto _ : state) {
    auto st = scorer->Score(user, scores);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(locations.size()));
}
BENCHMARK(BM_ScoreUser210Locations)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
