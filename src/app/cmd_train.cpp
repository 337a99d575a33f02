// `mlprod train`: trains the baseline model offline from the labelled TSV and writes a model
// folder (docs/ml.md). Flags and wiring only; the work is ml::TrainAndEvaluate and ml::SaveModel.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "app/commands.h"
#include "ml/dataset.h"
#include "ml/model_io.h"
#include "ml/train.h"

namespace mlprod::app {

namespace {

struct TrainFlags {
  std::string data;
  std::string out;
  int epochs = 100;
  std::uint64_t seed = 42;
  double test_fraction = 0.2;
};

void PrintMetrics(const char* split, std::int64_t rows, const ml::Metrics& m) {
  std::printf("%-5s rows %6lld  acc %.4f  pre %.4f  rec %.4f  f1 %.4f  auc %.4f\n", split,
              static_cast<long long>(rows), m.acc, m.pre, m.rec, m.f1, m.auc);
}

int RunTrain(const TrainFlags& flags) {
  if (flags.epochs < 1) {
    std::cerr << "mlprod train: --epochs must be at least 1\n";
    return 2;
  }
  if (!(flags.test_fraction >= 0.0 && flags.test_fraction < 1.0)) {
    std::cerr << "mlprod train: --test-fraction must be in [0, 1)\n";
    return 2;
  }
  auto data = ml::ReadLabelledTsv(flags.data);
  if (!data.ok()) {
    std::cerr << "mlprod train: " << data.error().message << '\n';
    return 1;
  }
  const auto split = ml::SplitHeadTail(*data, flags.test_fraction);
  std::printf("data: %lld rows (%lld positive); train %lld, test %lld\n",
              static_cast<long long>(data->rows()), static_cast<long long>(data->positives()),
              static_cast<long long>(split.train.rows()),
              static_cast<long long>(split.test.rows()));
  ml::TrainOptions options;
  options.epochs = flags.epochs;
  options.seed = flags.seed;
  auto model =
      ml::TrainAndEvaluate(split.train, split.test, options, [](const ml::EpochProgress& p) {
        std::printf("epoch %3d/%d  loss %.5f  elapsed %.2fs\n", p.epoch, p.epochs, p.mean_loss,
                    p.elapsed_seconds);
        std::fflush(stdout);
        return true;
      });
  if (!model.ok()) {
    std::cerr << "mlprod train: " << model.error().message << '\n';
    return 1;
  }
  const auto& meta = model->metadata();
  PrintMetrics("train", meta.train_records, meta.train);
  if (meta.test_records > 0) PrintMetrics("test", meta.test_records, meta.test);
  if (auto st = ml::SaveModel(*model, flags.out); !st.ok()) {
    std::cerr << "mlprod train: " << st.error().message << '\n';
    return 1;
  }
  std::printf("model written to %s\n", flags.out.c_str());
  return 0;
}

}  // namespace

void AddTrainCommand(CLI::App& root, CommandRunner& run) {
  auto flags = std::make_shared<TrainFlags>();
  auto* sub = root.add_subcommand(
      "train",
      "Train the baseline model from a labelled TSV and write a model folder.\n"
      "Split: the first (1 - test-fraction) of the rows, in file order, train (scaler, chi2\n"
      "selection and MLP are fitted on them only); the remaining rows are the test split.");
  sub->add_option("--data", flags->data,
                  "labelled TSV (dataset_labelled.tsv: the 30 feature columns and 'label')")
      ->required();
  sub->add_option("--out", flags->out,
                  "model folder to write (model.json + weights.bin); replaced atomically")
      ->required();
  sub->add_option("--epochs", flags->epochs, "training epochs of n/8 balanced batches")
      ->capture_default_str();
  sub->add_option("--seed", flags->seed, "random seed (weights, batches, dropout)")
      ->capture_default_str();
  sub->add_option("--test-fraction", flags->test_fraction,
                  "share of rows held out at the end of the file for testing, in [0, 1)")
      ->capture_default_str();
  sub->callback([&run, flags] { run = [flags] { return RunTrain(*flags); }; });
}

}  // namespace mlprod::app
