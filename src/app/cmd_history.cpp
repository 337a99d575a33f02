// `mlprod history`: fills a store with generated past loops (maintenance and benchmarks: how the
// loop, /content/info and training behave with a long history). One generator thread draws the
// next batch while the main thread writes the current one, one transaction per batch.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <string>

#include "app/bootstrap.h"
#include "app/commands.h"
#include "app/process_flags.h"
#include "common/clock.h"
#include "data/profiles.h"
#include "tasks/exploration.h"
#include "tasks/history.h"

namespace mlprod::app {
namespace {

struct HistoryFlags {
  ProcessFlags process;
  std::string db;
  std::int64_t inferences = 0;
  int days = 30;
  double feedback = 1.0;
  double explore_share = tasks::ExploreOptions{}.share;
  int batch = 5000;
};

constexpr const char* kCommand = "history";

std::string ModelIdOf(store::Store& store) {
  auto active = store.ActiveModels();
  if (!active.ok() || active->empty()) return "baseline";
  return std::max_element(
             active->begin(), active->end(),
             [](const auto& a, const auto& b) { return a.use_percentage < b.use_percentage; })
      ->task_id;
}

int RunHistory(const HistoryFlags& f) {
  auto config = StartProcess(kCommand, f.process);
  if (!config.ok()) return Fail(kCommand, "configuration", config.error());
  if (!f.db.empty()) config->database_url = f.db;
  auto rt = OpenRuntime(*config, 1);
  if (!rt.ok()) return Fail(kCommand, "configuration", rt.error());
  store::Store& store = *rt->store;
  if (auto st = WaitFor(
          "the store", [&] { return store.Ping(); },
          std::chrono::seconds(f.process.startup_timeout_s));
      !st.ok()) {
    return Fail(kCommand, "dependencies", st.error());
  }
  // The same first-start preparation as `mlprod serve`: schema, locations, baseline model.
  const BootstrapOptions boot = MakeBootstrapOptions(config->data_dir, f.process);
  if (auto st = Bootstrap(store, boot); !st.ok()) {
    return Fail(kCommand, "first-start preparation", st.error());
  }
  auto profiles = data::ReadUserProfiles(boot.config_dir / "user.tsv");
  if (!profiles.ok()) return Fail(kCommand, "profiles", profiles.error());
  auto locations = store.ListLocations(0, -1);
  if (!locations.ok()) return Fail(kCommand, "locations", locations.error());

  tasks::HistoryOptions options;
  options.seed =
      f.process.seed ^ static_cast<std::uint64_t>(SystemClock().Now().time_since_epoch().count());
  options.total = f.inferences;
  options.end = SystemClock().Now() - std::chrono::minutes(1);
  options.span = std::chrono::hours(24) * f.days;
  options.feedback = f.feedback;
  options.explore_share = f.explore_share;
  options.keep_results = f.process.keep_results;
  tasks::HistoryGenerator generator(std::move(profiles).value(), std::move(locations).value(),
                                    ModelIdOf(store), options);
  auto draw = [&generator, &f](std::int64_t begin) {
    std::vector<store::PastLoop> loops;
    const std::int64_t end = std::min(f.inferences, begin + f.batch);
    loops.reserve(static_cast<size_t>(end - begin));
    for (std::int64_t i = begin; i < end; ++i) loops.push_back(generator.Draw(i));
    return loops;
  };

  std::cerr << "mlprod history: writing " << f.inferences << " past inferences over " << f.days
            << " days into "
            << RedactUrl(config->database_url.empty()
                             ? "sqlite://" + (config->data_dir / "mlprod.db").string()
                             : config->database_url)
            << "\n";
  const auto start = SystemClock().SteadyNow();
  auto next = std::async(std::launch::async, draw, std::int64_t{0});
  for (std::int64_t done = 0; done < f.inferences;) {
    std::vector<store::PastLoop> loops = next.get();
    const std::int64_t after = done + static_cast<std::int64_t>(loops.size());
    if (after < f.inferences) next = std::async(std::launch::async, draw, after);
    if (auto st = store.AppendHistory(loops); !st.ok()) {
      if (next.valid()) next.wait();
      return Fail(kCommand, "write", st.error());
    }
    done = after;
    const double s = std::chrono::duration<double>(SystemClock().SteadyNow() - start).count();
    char line[160];
    std::snprintf(line, sizeof line, "history: %lld/%lld inferences, %.1f s, %.0f/s\n",
                  static_cast<long long>(done), static_cast<long long>(f.inferences), s,
                  s > 0 ? done / s : 0.0);
    std::cerr << line;
  }
  return 0;
}

}  // namespace

void AddHistoryCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<HistoryFlags>();
  auto* sub = root.add_subcommand(
      "history",
      "Maintenance: fill a store with generated past inferences, as serving would have written "
      "them (users drawn from the profiles, SUCCESS inferences spread over the past days, the "
      "shown top rows with the answers of the simulated people, events, live feedback "
      "counters). Prepares the store as `mlprod serve` does on its first start. For "
      "measurements with a long history; do not run it against a production database.");
  AddProcessFlags(*sub, flags->process);
  AddKeepResultsFlag(*sub, flags->process);
  sub->add_option("--db", flags->db,
                  "Database URL (postgresql://... or sqlite://PATH) [default: DATABASE_URL, else "
                  "mlprod.db in --data-dir]");
  sub->add_option("--inferences", flags->inferences, "Past inferences to write")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000}));
  sub->add_option("--days", flags->days, "Days before now the inferences are spread over")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  sub->add_option("--feedback", flags->feedback,
                  "Share of the inferences answered with a select (pick or no pick), as "
                  "`mlprod traffic --feedback`")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--explore-share", flags->explore_share,
                  "Share of the lists shown in a random order (serving's --explore-share)")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  sub->add_option("--batch", flags->batch, "Inferences per transaction")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  sub->callback([flags, &run] { run = [flags] { return RunHistory(*flags); }; });
}

}  // namespace mlprod::app
