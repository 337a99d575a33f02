// `mlprod traffic`: simulated users driving a running API (SPEC §7) and a summary of what they saw.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.h"
#include "data/profiles.h"
#include "traffic/traffic.h"

namespace mlprod::app {
namespace {

struct TrafficFlags {
  traffic::TrafficOptions options;
  std::string profiles;
  bool no_think = false;
  bool no_long_poll = false;
  bool json = false;
  bool duration_given = false;
};

// Set by the first SIGINT or SIGTERM of a run; the second one ends the process at once (the
// handler gives the signal its default action back).
std::atomic<bool> g_stop{false};
std::atomic<int> g_stop_signal{0};

extern "C" void OnStopSignal(int sig) {
  g_stop_signal.store(sig);
  g_stop.store(true);
  std::signal(sig, SIG_DFL);
}

int RunTrafficCommand(TrafficFlags& f) {
  traffic::TrafficOptions& o = f.options;
  o.think = !f.no_think;
  o.long_poll = !f.no_long_poll;
  // --requests alone means "this many loops", however long they take.
  if (o.requests > 0 && !f.duration_given) o.duration_s = 0;

  const std::filesystem::path profiles = f.profiles.empty() ? data::DefaultConfigDir() / "user.tsv"
                                                            : std::filesystem::path(f.profiles);
  auto loaded = data::ReadUserProfiles(profiles);
  if (!loaded.ok()) {
    std::cerr << "mlprod traffic: " << loaded.error().message << "\n";
    return 1;
  }
  o.profiles = std::move(*loaded);
  if (auto valid = traffic::ValidateOptions(o); !valid.ok()) {
    std::cerr << "mlprod traffic: " << valid.error().message << " (see --help)\n";
    return 2;
  }

  std::cerr << "traffic: " << o.users << " users against " << o.url << " ("
            << (o.duration_s > 0 ? std::to_string(static_cast<int>(o.duration_s)) + " s"
                                 : std::string("no time limit"))
            << (o.requests > 0 ? ", " + std::to_string(o.requests) + " loops" : std::string())
            << ", profiles " << profiles.string() << ")\n";
  o.stop = &g_stop;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  auto report = traffic::RunTraffic(o, [](const traffic::Progress& p) {
    char line[160];
    std::snprintf(
        line, sizeof line, "traffic: %6.1f s  loops %llu (%.1f/s)  requests %llu  errors %llu\n",
        p.elapsed_s, static_cast<unsigned long long>(p.loops),
        p.elapsed_s > 0 ? static_cast<double>(p.loops) / p.elapsed_s : 0.0,
        static_cast<unsigned long long>(p.requests), static_cast<unsigned long long>(p.errors));
    std::cerr << line;
  });
  if (!report.ok()) {
    std::cerr << "mlprod traffic: " << report.error().message << "\n";
    return 1;
  }
  const int stop_signal = report->stopped ? g_stop_signal.load() : 0;
  if (stop_signal != 0) {
    std::cerr << "traffic: stopped by " << (stop_signal == SIGINT ? "SIGINT" : "SIGTERM")
              << "; the summary covers the loops until then\n";
  }
  std::cerr << traffic::SummaryText(report->info, report->stats);
  if (f.json) std::cout << traffic::SummaryJson(report->info, report->stats).dump() << "\n";
  return stop_signal != 0 ? 128 + stop_signal : 0;
}

}  // namespace

void AddTrafficCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<TrafficFlags>();
  traffic::TrafficOptions& o = flags->options;
  auto* sub = root.add_subcommand(
      "traffic",
      "Simulated users driving a running API: start an inference, wait for it, read the results, "
      "pick a location as the user's profile would, think, repeat. Prints progress to stderr and "
      "a summary at the end (--json: as one JSON object on stdout), also when stopped by Ctrl-C "
      "or SIGTERM (a second one ends it at once).\n"
      "Live quality against ground truth: before the run every location is read from GET "
      "/content/locations; for each result list the simulated person's utility of every "
      "location is computed (the labeller of `mlprod dataset`, 0 = unacceptable). Reported "
      "overall (\"quality\") and per model_id of the list (\"quality_by_model\"): loops, "
      "pick_rate = picks/(picks+no_picks) with pick_rate_ci95; ndcg_at_10 {mean, ci95} of the "
      "shown list (gain = utility, discount 1/log2(rank+2), ideal = the 10 best utilities "
      "overall); best_shown = share of loops whose best acceptable location was shown; regret = "
      "mean of best utility overall minus best shown; no_acceptable = loops without any "
      "acceptable location (left out of ndcg, best_shown, regret). Intervals: mean +- "
      "1.96*s/sqrt(n). \"locations\" is the catalogue size; 0 and null quality when it could "
      "not be read.");
  sub->add_option("--url", o.url, "Base URL of the API, e.g. http://127.0.0.1:4789")->required();
  sub->add_option("--users", o.users, "Concurrent simulated users")->capture_default_str();
  auto* duration = sub->add_option("--duration", o.duration_s,
                                   "Stop after this many seconds; 0 = no limit [default: 30, or "
                                   "no limit when only --requests is given]");
  sub->add_option("--requests", o.requests, "Stop after this many loops in total; 0 = no limit")
      ->capture_default_str();
  sub->add_option("--think-min", o.think_min_s, "Shortest think time between loops, seconds")
      ->capture_default_str();
  sub->add_option("--think-max", o.think_max_s, "Longest think time between loops, seconds")
      ->capture_default_str();
  sub->add_flag("--no-think", flags->no_think, "Do not think between loops [default: think]");
  sub->add_option("--feedback", o.feedback,
                  "Probability that a loop ends with a pick or no-pick (PUT /inference/select/)")
      ->capture_default_str();
  sub->add_option("--profiles", flags->profiles,
                  "User profile table; each loop draws a profile in proportion to its meta_n, as "
                  "the data set does; config/user_noise.tsv produces drift [default: user.tsv in "
                  "config/ of the working directory, else " +
                      data::SourceConfigDir().string() + "]");
  sub->add_option("--seed", o.seed, "Random seed; simulated user i uses seed + i")
      ->capture_default_str();
  sub->add_option("--poll-interval", o.poll_interval_s,
                  "Seconds between status polls with --no-long-poll")
      ->capture_default_str();
  sub->add_flag("--no-long-poll", flags->no_long_poll,
                "Poll the status instead of long polling with ?wait= [default: long poll]");
  sub->add_option("--long-poll-wait", o.long_poll_wait_s, "The ?wait= of long polls, seconds")
      ->capture_default_str();
  sub->add_option("--timeout", o.timeout_s,
                  "Deadline of each request in seconds (long polls get their wait on top)")
      ->capture_default_str();
  sub->add_option("--task-timeout", o.task_timeout_s,
                  "Longest wait for an inference to succeed, seconds")
      ->capture_default_str();
  sub->add_option("--threads", o.threads, "I/O threads")->capture_default_str();
  sub->add_flag("--json", flags->json, "Print the summary as one JSON object on stdout");
  sub->callback([flags, duration, &run] {
    flags->duration_given = duration->count() > 0;
    run = [flags] { return RunTrafficCommand(*flags); };
  });
}

}  // namespace mlprod::app
