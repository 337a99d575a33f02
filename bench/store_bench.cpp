// Store hot paths: StartInference (user + inference + event in one transaction), SaveResults
// of 210 rows (one multi-row INSERT) and the store calls of one whole user loop, on SQLite (a fresh
// temp file, WAL) and, when MLPROD_BENCH_DATABASE_URL is set, PostgreSQL (a scratch database: it
// gets the schema and keeps the rows, e.g. `createdb mlprod_bench` next to scripts/services.sh's
// test database).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/records.h"
#include "common/uuid.h"
#include "store/sql/open_store.h"

namespace {

using mlprod::store::Store;

constexpr int kLocations = 210;

std::string SqliteUrl(const std::filesystem::path& dir) {
  return "sqlite://" + (dir / (mlprod::NewUuid() + ".db")).string();
}

std::unique_ptr<Store> Open(benchmark::State& state, const std::string& url) {
  auto store = mlprod::store::OpenStore(url);
  if (!store.ok() || !(*store)->Migrate().ok()) {
    state.SkipWithError("cannot open or migrate the store");
    return nullptr;
  }
  std::vector<mlprod::Location> locations(kLocations);
  for (int i = 0; i < kLocations; ++i) {
    locations[static_cast<size_t>(i)].location_id = i + 1;
    locations[static_cast<size_t>(i)].price = 10 + i;
  }
  if (!(*store)->LoadLocationsIfEmpty(locations).ok()) state.SkipWithError("cannot load locations");
  return std::move(store).value();
}

mlprod::User BenchUser() {
  mlprod::User u;
  const int ages[] = {30, 32, 5};
  mlprod::SetAges(u, ages);
  u.budget = 900;
  u.nights = 4;
  u.time_arrival = "2026-08-01";
  return u;
}

// Distinct task ids across runs and repetitions on the same database.
std::string NextTask() {
  static std::atomic<long> n{0};
  return "bench-" + std::to_string(n++) + "-" + mlprod::NewUuid().substr(0, 8);
}

void StartInference(benchmark::State& state, const std::string& url) {
  auto store = Open(state, url);
  if (!store) return;
  const mlprod::User user = BenchUser();
  for (auto _ : state) {
    auto uid = store->StartInference(user, NextTask());
    if (!uid.ok()) state.SkipWithError(uid.error().message.c_str());
  }
}

void SaveResults210(benchmark::State& state, const std::string& url) {
  auto store = Open(state, url);
  if (!store) return;
  std::vector<mlprod::store::ScoredLocation> scores;
  for (int i = 1; i <= kLocations; ++i) scores.push_back({i, (i * 37 % kLocations) / 210.0});
  for (auto _ : state) {
    state.PauseTiming();
    const std::string task = NextTask();
    auto uid = store->StartInference(BenchUser(), task);
    state.ResumeTiming();
    auto st = store->SaveResults(task, *uid, "baseline", scores);
    if (!st.ok()) state.SkipWithError(st.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations() * kLocations);
}

// The store calls of one user loop, in the order serve makes them: start, STARTED status, the
// 210 results, one status read, the top 10 (marks them shown), the pick.
void Loop(benchmark::State& state, const std::string& url) {
  auto store = Open(state, url);
  if (!store) return;
  std::vector<mlprod::store::ScoredLocation> scores;
  for (int i = 1; i <= kLocations; ++i) scores.push_back({i, (i * 37 % kLocations) / 210.0});
  const mlprod::User user = BenchUser();
  for (auto _ : state) {
    const std::string task = NextTask();
    auto uid = store->StartInference(user, task);
    if (!uid.ok()) return state.SkipWithError(uid.error().message.c_str());
    bool ok = store->UpdateInferenceStatus(task, mlprod::TaskState::kStarted).ok() &&
              store->SaveResults(task, *uid, "baseline", scores).ok() &&
              store->GetInference(task).ok();
    auto top = store->TopResults(task, 10);
    ok = ok && top.ok() && !top->empty() && store->SelectResult(task, (*top)[0].location_id).ok();
    if (!ok) return state.SkipWithError("a store call of the loop failed");
  }
}

void RegisterAll(const std::filesystem::path& dir) {
  benchmark::RegisterBenchmark("StartInference/sqlite", [dir](benchmark::State& s) {
    StartInference(s, SqliteUrl(dir));
  })->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("SaveResults210/sqlite", [dir](benchmark::State& s) {
    SaveResults210(s, SqliteUrl(dir));
  })->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("Loop/sqlite", [dir](benchmark::State& s) {
    Loop(s, SqliteUrl(dir));
  })->Unit(benchmark::kMicrosecond);
  const char* pg = std::getenv("MLPROD_BENCH_DATABASE_URL");
  if (pg == nullptr || *pg == '\0') return;
  const std::string url = pg;
  benchmark::RegisterBenchmark("StartInference/postgres", [url](benchmark::State& s) {
    StartInference(s, url);
  })->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("SaveResults210/postgres", [url](benchmark::State& s) {
    SaveResults210(s, url);
  })->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("Loop/postgres", [url](benchmark::State& s) {
    Loop(s, url);
  })->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("mlprod-store-bench-" + mlprod::NewUuid());
  std::filesystem::create_directories(dir);
  RegisterAll(dir);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(dir);
  return 0;
}
