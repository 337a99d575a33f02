// In-process simulation of the learning loop (no HTTP, no store): simulated people from the
// profile tables see the top 10 of the serving model, pick with the labeller's rules, and the
// feedback retrains candidates whose live quality is then measured on the people's ground
// truth. For choosing the training data and the offline gate quickly; the product's figures
// come from `mlprod traffic` against a real server (bench/learning_loop.py).
// Usage: mlprod_loop_sim CONFIG_DIR MODE ROUNDS FEEDBACK_LOOPS EPSILON [LIVE_PROFILES] [SEED]
//   MODE: shown (reference: newest shown rows, promote on their test AUC), gen (shown rows +
//   the generator's training split), explore (shown + every explored row), product (gen's
//   training data, promotion by tasks::OfflineGate). Lines starting CAND list each candidate's
//   live NDCG@10 next to its offline figures.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/generate.h"
#include "data/labeller.h"
#include "data/profiles.h"
#include "ml/dataset.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "ml/scorer.h"
#include "ml/train.h"
#include "tasks/offline_gate.h"

using namespace mlprod;

namespace {

struct LoggedList {
  User user;
  std::size_t profile = 0;
  std::vector<int> shown;    // location indexes in shown order
  int pick = -1;             // index into shown, -1 none
  int explored = -1;         // slot that was explored, -1 none
  bool random_list = false;  // the whole list was drawn uniformly (list exploration)
};

bool g_random_lists = false;
int g_resamples = 1000;

struct Quality {
  double pick_rate = 0, ndcg = 0, best_shown = 0, pos = 0, acceptable = 0;
  int n = 0;
};

struct World {
  std::vector<data::UserProfile> profiles;
  std::vector<double> weights;
  std::vector<Location> locations;
};

double Ndcg(const std::vector<double>& util, const std::vector<int>& shown) {
  std::vector<double> sorted = util;
  std::partial_sort(sorted.begin(), sorted.begin() + 10, sorted.end(), std::greater<>());
  double idcg = 0, dcg = 0;
  for (int i = 0; i < 10; ++i) idcg += sorted[i] / std::log2(i + 2.0);
  for (std::size_t i = 0; i < shown.size(); ++i) dcg += util[shown[i]] / std::log2(i + 2.0);
  return idcg > 0 ? dcg / idcg : -1;
}

// Runs n loops with the model; logs the lists and measures ground-truth quality.
Quality RunLoops(const World& w, const ml::LocationScorer& scorer, int n, std::uint64_t seed,
                 double epsilon, std::vector<LoggedList>* log) {
  data::Rng rng(seed);
  std::vector<float> scores(w.locations.size());
  std::vector<int> order(w.locations.size());
  std::vector<double> util(w.locations.size());
  Quality q;
  int picks = 0, ndcg_n = 0, best_n = 0;
  double ndcg_sum = 0, pos_sum = 0, acc_sum = 0;
  int best_hits = 0;
  const auto start = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  for (int i = 0; i < n; ++i) {
    const std::size_t p = rng.Weighted(w.weights);
    const auto& profile = w.profiles[p];
    data::UserData u = data::GenerateUser(profile, start, rng);
    (void)scorer.Score(u.user, scores);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 10, order.end(),
                      [&](int a, int b) { return scores[a] > scores[b]; });
    LoggedList l;
    l.user = u.user;
    l.profile = p;
    l.shown.assign(order.begin(), order.begin() + 10);
    if (g_random_lists && epsilon > 0 && rng.Bernoulli(epsilon)) {
      // Ten distinct locations drawn uniformly: generator-format rows of the live population.
      std::vector<int> all(w.locations.size());
      std::iota(all.begin(), all.end(), 0);
      for (int k = 0; k < 10; ++k) std::swap(all[k], all[k + rng.Index(all.size() - k)]);
      l.shown.assign(all.begin(), all.begin() + 10);
      l.random_list = true;
    } else if (epsilon > 0 && rng.Bernoulli(epsilon)) {
      const int slot = static_cast<int>(rng.Index(10));
      const int other = order[10 + rng.Index(order.size() - 10)];
      l.shown[slot] = other;
      l.explored = slot;
    }
    std::vector<Location> shown_locs;
    for (int idx : l.shown) shown_locs.push_back(w.locations[idx]);
    l.pick = data::DecidePick(profile, u.user, shown_locs, rng);
    picks += l.pick >= 0;
    if (l.pick >= 0) pos_sum += l.pick;
    for (std::size_t k = 0; k < util.size(); ++k) {
      util[k] = data::ScoreLocation(profile, u.user, w.locations[k]);
    }
    for (int idx : l.shown) acc_sum += util[idx] > 0;
    const double nd = Ndcg(util, l.shown);
    if (nd >= 0) {
      ndcg_sum += nd;
      ++ndcg_n;
      const int best = static_cast<int>(std::max_element(util.begin(), util.end()) - util.begin());
      best_hits += std::find(l.shown.begin(), l.shown.end(), best) != l.shown.end();
      ++best_n;
    }
    if (log) log->push_back(std::move(l));
  }
  q.n = n;
  q.pick_rate = double(picks) / n;
  q.ndcg = ndcg_n ? ndcg_sum / ndcg_n : 0;
  q.pos = picks ? pos_sum / picks : 0;
  q.acceptable = acc_sum / (10.0 * n);
  q.best_shown = best_n ? double(best_hits) / best_n : 0;
  return q;
}

std::shared_ptr<const ml::LocationScorer> MakeScorer(const ml::Model& m,
                                                     const std::vector<Location>& locs) {
  auto shared = std::make_shared<const ml::Model>(m);
  return ml::LocationScorer::Create(shared, locs);
}

// Training rows from the newest lists: every shown row with its label.
std::vector<ml::LabelledExample> ShownRows(const World& w, const std::vector<LoggedList>& log,
                                           std::size_t max_rows, bool explored_only = false) {
  std::vector<ml::LabelledExample> out;
  for (auto it = log.rbegin(); it != log.rend() && out.size() < max_rows; ++it) {
    for (std::size_t s = 0; s < it->shown.size(); ++s) {
      if (explored_only && static_cast<int>(s) != it->explored) continue;
      out.push_back({it->user, w.locations[it->shown[s]], it->pick == static_cast<int>(s)});
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Every row of the randomly drawn lists, newest last, at most max_rows (newest kept).
std::vector<ml::LabelledExample> RandomListRows(const World& w, const std::vector<LoggedList>& log,
                                                std::size_t max_rows) {
  std::vector<ml::LabelledExample> out;
  for (auto it = log.rbegin(); it != log.rend() && out.size() < max_rows; ++it) {
    if (!it->random_list) continue;
    for (std::size_t s = it->shown.size(); s-- > 0;) {
      out.push_back({it->user, w.locations[it->shown[s]], it->pick == static_cast<int>(s)});
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

double Auc(const ml::Model& m, const ml::Dataset& d) { return ml::Evaluate(m, d).auc; }

// Mean reciprocal rank of the pick within consecutive lists of `list` rows (lists without a
// pick are skipped).
double Mrr(const ml::Model& m, const ml::Dataset& d, int list) {
  const auto p = m.Predict(d.x);
  double sum = 0;
  int n = 0;
  for (std::int64_t b = 0; b + list <= d.rows(); b += list) {
    int pick = -1;
    for (int i = 0; i < list; ++i)
      if (d.y[b + i]) pick = i;
    if (pick < 0) continue;
    int rank = 1;
    for (int i = 0; i < list; ++i) rank += p[b + i] > p[b + pick];
    sum += 1.0 / rank;
    ++n;
  }
  return n ? sum / n : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string config = argc > 1 ? argv[1] : "config";
  const std::string mode = argc > 2 ? argv[2] : "shown";
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
  const int feedback = argc > 4 ? std::atoi(argv[4]) : 10000;
  const double epsilon = argc > 5 ? std::atof(argv[5]) : 0.0;
  const std::string live_profiles = argc > 6 ? argv[6] : config + "/user.tsv";
  const std::uint64_t seed = argc > 7 ? std::strtoull(argv[7], nullptr, 10) : 1;
  World w;
  auto up = data::ReadUserProfiles(config + "/user.tsv");
  auto lp = data::ReadLocationProfiles(config + "/location.tsv");
  auto live = data::ReadUserProfiles(live_profiles);
  if (!up.ok() || !lp.ok() || !live.ok()) {
    std::fprintf(stderr, "profiles\n");
    return 1;
  }
  auto ds = data::GenerateDataset(*up, *lp, data::DatasetOptions{});
  if (!ds.ok()) return 1;
  w.locations = ds->locations;
  for (std::size_t i = 0; i < w.locations.size(); ++i) w.locations[i].location_id = i + 1;
  w.profiles = *live;
  for (auto& p : w.profiles) w.weights.push_back(std::max(p.meta_n, 0));
  // The generator-labelled set exactly as bootstrap trains the baseline on it.
  std::vector<ml::LabelledExample> gen;
  for (const auto& r : ds->rows)
    gen.push_back({ds->users[r.user].user, ds->locations[r.location], r.label});
  for (auto& g : gen) g.location.location_id = 0;
  auto gen_ds = ml::DatasetFromExamples(gen);
  auto split = ml::SplitHeadTail(*gen_ds, 0.2);
  auto base = ml::TrainAndEvaluate(split.train, split.test, ml::TrainOptions{});
  if (!base.ok()) return 1;
  ml::Model current = *base;
  auto scorer = MakeScorer(current, w.locations);
  auto q0 = RunLoops(w, *scorer, 4000, 999, 0, nullptr);
  std::printf("baseline live: pick %.4f ndcg %.4f best %.4f pos %.2f acc %.2f\n", q0.pick_rate,
              q0.ndcg, q0.best_shown, q0.pos, q0.acceptable);
  std::vector<LoggedList> log;
  g_random_lists = mode.rfind("rl", 0) == 0;
  if (const char* r = std::getenv("LOOP_SIM_RESAMPLES")) g_resamples = std::atoi(r);
  for (int r = 1; r <= rounds; ++r) {
    auto qf = RunLoops(w, *scorer, feedback, seed * 1000 + r, epsilon, &log);
    std::printf("round %d feedback: pick %.4f ndcg %.4f\n", r, qf.pick_rate, qf.ndcg);
    if (g_random_lists) {
      // rl-MIX-GATE: training = newest random-list rows (+ generator train rows when MIX is
      // 'gen'), gate = AUC on the newest 20 % of the random-list rows (gen holdout when fewer
      // than 1000 such rows).
      const bool mix = mode.find("gen") != std::string::npos;
      const bool fill = mode.find("fill") != std::string::npos;
      auto xr = RandomListRows(w, log, 50000);
      const std::size_t n_test = xr.size() / 5 / 10 * 10;
      std::vector<ml::LabelledExample> tr_rows(xr.begin(), xr.end() - n_test);
      std::vector<ml::LabelledExample> te_rows(xr.end() - n_test, xr.end());
      if (mix) tr_rows.insert(tr_rows.end(), gen.begin(), gen.begin() + 8000);
      if (fill && tr_rows.size() < 8000) {
        tr_rows.insert(tr_rows.end(), gen.begin(), gen.begin() + (8000 - tr_rows.size()));
      }
      auto tr = ml::DatasetFromExamples(tr_rows);
      const bool fresh_gate = te_rows.size() >= 1000;
      auto te = fresh_gate ? ml::DatasetFromExamples(te_rows) : Result<ml::Dataset>(split.test);
      auto cand = ml::TrainAndEvaluate(*tr, *te, ml::TrainOptions{.seed = 42 + (std::uint64_t)r});
      if (!cand.ok()) {
        std::printf("round %d: train failed %s\n", r, cand.error().message.c_str());
        continue;
      }
      auto cs = MakeScorer(*cand, w.locations);
      auto qc = RunLoops(w, *cs, 4000, 999, 0, nullptr);
      auto qo = RunLoops(w, *scorer, 4000, 999, 0, nullptr);
      std::vector<std::int64_t> groups(te->rows());
      for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = i / 10;
      const auto gate = tasks::OfflineGate(current, "current", *cand, *te, groups,
                                           tasks::GateOptions{.resamples = g_resamples});
      std::printf(
          "CAND mode=%s round=%d live_ndcg=%.4f live_pick=%.4f gate_auc_new=%.4f "
          "gate_auc_old=%.4f lower=%.4f gen_auc=%.4f rows=%zu test=%zu fresh=%d | current ndcg "
          "%.4f\n",
          mode.c_str(), r, qc.ndcg, qc.pick_rate, Auc(*cand, *te), Auc(current, *te),
          gate.evidence["auc_difference_lower_bound"].is_number()
              ? gate.evidence["auc_difference_lower_bound"].get<double>()
              : -1.0,
          Auc(*cand, split.test), tr_rows.size(), te_rows.size(), fresh_gate, qo.ndcg);
      std::printf("round %d: %s\n", r, gate.pass ? "promoted" : "kept the current model");
      if (gate.pass) {
        current = *cand;
        scorer = cs;
      }
      continue;
    }
    auto rows = ShownRows(w, log, 9000);
    std::vector<ml::LabelledExample> train_rows(rows.begin(), rows.begin() + rows.size() * 8 / 9);
    std::vector<ml::LabelledExample> test_rows(rows.begin() + rows.size() * 8 / 9, rows.end());
    if (mode == "gen" || mode == "product") {
      // Generator rows mixed into training, shuffled in deterministically by interleaving.
      std::vector<ml::LabelledExample> mix;
      std::size_t gi = 0, si = 0;
      const auto& gtrain = std::vector<ml::LabelledExample>(gen.begin(), gen.begin() + 8000);
      while (gi < gtrain.size() || si < train_rows.size()) {
        if (si < train_rows.size()) mix.push_back(train_rows[si++]);
        if (gi < gtrain.size()) mix.push_back(gtrain[gi++]);
      }
      train_rows = std::move(mix);
    }
    if (mode == "explore") {
      // All explored rows of the whole log on top of the newest shown rows.
      auto ex = ShownRows(w, log, 1u << 30, true);
      train_rows.insert(train_rows.end(), ex.begin(), ex.end());
    }
    if (mode == "shuffled") {
      // The bad candidate of the scenarios: labels shuffled among the training rows.
      data::Rng shuffle_rng(77 + r);
      for (std::size_t i = train_rows.size(); i > 1; --i) {
        std::swap(train_rows[i - 1].label, train_rows[shuffle_rng.Index(i)].label);
      }
    }
    auto tr = ml::DatasetFromExamples(train_rows);
    auto te = ml::DatasetFromExamples(test_rows);
    auto cand = ml::TrainAndEvaluate(*tr, *te, ml::TrainOptions{.seed = 42 + (std::uint64_t)r});
    if (!cand.ok()) {
      std::printf("round %d: train failed %s\n", r, cand.error().message.c_str());
      continue;
    }
    auto cs = MakeScorer(*cand, w.locations);
    auto qc = RunLoops(w, *cs, 4000, 999, 0, nullptr);
    auto qo = RunLoops(w, *scorer, 4000, 999, 0, nullptr);
    const double auc_new_shown = cand->metadata().test.auc;
    const double auc_old_shown = Auc(current, *te);
    const double auc_new_gen = Auc(*cand, split.test);
    const double auc_old_gen = Auc(current, split.test);
    std::printf(
        "CAND mode=%s round=%d live_ndcg=%.4f live_pick=%.4f gen_auc=%.4f gen_mrr=%.4f "
        "shown_auc=%.4f\n",
        mode.c_str(), r, qc.ndcg, qc.pick_rate, auc_new_gen, Mrr(*cand, split.test, 10),
        auc_new_shown);
    std::printf(
        "round %d: cand pick %.4f ndcg %.4f best %.3f pos %.2f acc %.2f | current pick %.4f "
        "ndcg %.4f pos %.2f acc %.2f | auc shown new %.3f old %.3f | auc gen new %.3f old %.3f\n",
        r, qc.pick_rate, qc.ndcg, qc.best_shown, qc.pos, qc.acceptable, qo.pick_rate, qo.ndcg,
        qo.pos, qo.acceptable, auc_new_shown, auc_old_shown, auc_new_gen, auc_old_gen);
    const bool promote = mode == "product"
                             ? tasks::OfflineGate(current, "current", *cand, split.test, {},
                                                  tasks::GateOptions{.resamples = 0})
                                   .pass
                             : auc_new_shown > auc_old_shown;  // the reference rule
    std::printf("round %d: %s\n", r, promote ? "promoted" : "kept the current model");
    if (promote) {
      current = *cand;
      scorer = cs;
    }
  }
  return 0;
}
