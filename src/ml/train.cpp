#include "ml/train.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>
#include <vector>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "common/clock.h"
#include "common/time_util.h"
#include "ml/adam.h"
#include "ml/rng.h"

namespace mlprod::ml {

namespace {

constexpr int kHalfBatch = 4;
constexpr int kBatch = 2 * kHalfBatch;

using Batch = Eigen::Matrix<float, kMlpInputs, kBatch>;
using DropoutMask = Eigen::Matrix<float, kMlpHidden1, kBatch>;

// Inverted dropout: each unit survives with probability 1 - p and is scaled by 1/(1 - p). Four
// units per 64-bit draw, each compared on 16 bits, so p is honoured to within 2^-17.
void FillDropoutMask(Rng& rng, double p, DropoutMask& mask) {
  const auto drop_below = static_cast<std::uint32_t>(p * 65536.0 + 0.5);
  const auto keep_value = static_cast<float>(1.0 / (1.0 - p));
  float* out = mask.data();
  for (int i = 0; i < mask.size(); i += 4) {
    std::uint64_t bits = rng.Next();
    for (int k = 0; k < 4; ++k, bits >>= 16) {
      out[i + k] = (bits & 0xffff) < drop_below ? 0.0f : keep_value;
    }
  }
}

// Adam's second moments and late-epoch gradients underflow into subnormal floats, which x86
// handles in microcode at ~100x the cost; flushing them to zero changes nothing measurable in
// the model and keeps training fast. Restores the caller's floating-point mode on exit.
class FlushSubnormals {
 public:
#if defined(__SSE__)
  FlushSubnormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ | DAZ
  ~FlushSubnormals() { _mm_setcsr(saved_); }

 private:
  unsigned int saved_;
#endif
};

Status CheckTrainable(const Dataset& train, const TrainOptions& options) {
  if (options.epochs < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "epochs must be at least 1");
  }
  if (!(options.dropout >= 0.0 && options.dropout < 1.0)) {
    return MakeError(ErrorCode::kInvalidArgument, "dropout must be in [0, 1)");
  }
  if (!(options.learning_rate > 0.0)) {
    return MakeError(ErrorCode::kInvalidArgument, "learning rate must be positive");
  }
  const auto positives = train.positives();
  if (train.rows() < kBatch || positives == 0 || positives == train.rows()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "training needs at least " + std::to_string(kBatch) +
                         " rows with both labels present (got " + std::to_string(train.rows()) +
                         " rows, " + std::to_string(positives) + " positive)");
  }
  return OkStatus();
}

}  // namespace

Result<Model> Train(const Dataset& train, const TrainOptions& options,
                    const ProgressCallback& progress) {
  MLPROD_RETURN_IF_ERROR(CheckTrainable(train, options));
  const auto start = SystemClock().SteadyNow();

  const MinMaxScaler scaler = MinMaxScaler::Fit(train.x);
  auto scores = Chi2Scores(scaler.Transform(train.x), train.y);
  if (!scores.ok()) return scores.error();
  const std::vector<int> chosen = SelectKBest(*scores, kMlpInputs);
  SelectedFeatures selected{};
  std::copy(chosen.begin(), chosen.end(), selected.begin());

  ModelMetadata meta;
  meta.seed = options.seed;
  meta.epochs = options.epochs;
  meta.batch_size = kBatch;
  meta.learning_rate = options.learning_rate;
  meta.dropout = options.dropout;
  meta.train_records = train.rows();
  meta.train_positives = train.positives();
  meta.chi2_scores = *scores;
  meta.input_profile = ComputeInputProfile(train.x);
  // A provisional model turns raw rows into the scaled, selected float input the MLP trains on.
  Model model(scaler, selected, MlpParams<float>::Zero(), meta);
  const Eigen::Matrix<float, kMlpInputs, Eigen::Dynamic> inputs = model.Prepare(train.x);

  std::vector<Eigen::Index> negatives, positives;
  for (std::int64_t r = 0; r < train.rows(); ++r) {
    (train.y[static_cast<std::size_t>(r)] ? positives : negatives).push_back(r);
  }

  const FlushSubnormals flush_subnormals;
  Rng rng(options.seed);
  MlpParams<float> params = InitMlp<float>(rng);
  MlpParams<float> grad = MlpParams<float>::Zero();
  Adam<float> adam(AdamOptions{.learning_rate = options.learning_rate});
  MlpTape<float, kBatch> tape;
  Batch batch;
  DropoutMask keep;
  Eigen::Matrix<float, 1, kBatch> labels;
  labels << 0, 0, 0, 0, 1, 1, 1, 1;
  const std::int64_t batches = train.rows() / kBatch;

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    double loss_sum = 0;
    for (std::int64_t b = 0; b < batches; ++b) {
      for (int j = 0; j < kHalfBatch; ++j) {
        batch.col(j) = inputs.col(negatives[rng.Below(negatives.size())]);
      }
      for (int j = 0; j < kHalfBatch; ++j) {
        batch.col(kHalfBatch + j) = inputs.col(positives[rng.Below(positives.size())]);
      }
      FillDropoutMask(rng, options.dropout, keep);
      loss_sum += LossAndGradient(params, batch, labels, keep, tape, grad);
      adam.Step(params, grad);
    }
    if (progress) {
      const std::chrono::duration<double> elapsed = SystemClock().SteadyNow() - start;
      const EpochProgress p{epoch, options.epochs, loss_sum / static_cast<double>(batches),
                            elapsed.count()};
      if (!progress(p)) {
        return MakeError(ErrorCode::kUnavailable,
                         "training cancelled after epoch " + std::to_string(epoch));
      }
    }
  }
  meta.created_at = NowTimestamp();
  return Model(scaler, selected, params, meta);
}

Result<Model> TrainAndEvaluate(const Dataset& train, const Dataset& test,
                               const TrainOptions& options, const ProgressCallback& progress) {
  auto model = Train(train, options, progress);
  if (!model.ok()) return model.error();
  auto& meta = model->mutable_metadata();
  meta.train = Evaluate(*model, train);
  meta.test_records = test.rows();
  meta.test_positives = test.positives();
  if (test.rows() > 0) {
    meta.test = Evaluate(*model, test);
  } else {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    meta.test = Metrics{nan, nan, nan, nan, nan};
  }
  return model;
}

}  // namespace mlprod::ml
