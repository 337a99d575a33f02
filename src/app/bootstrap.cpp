#include "app/bootstrap.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/time_util.h"
#include "data/dataset.h"
#include "data/records_tsv.h"
#include "ml/dataset.h"
#include "ml/model_io.h"
#include "ml/train.h"

namespace mlprod::app {
namespace {

namespace fs = std::filesystem;

Status EnsureDataset(const BootstrapOptions& o, const fs::path& dir) {
  if (fs::exists(dir / "dataset_labelled.tsv") && fs::exists(dir / "dataset_locations.tsv")) {
    return OkStatus();
  }
  spdlog::info("first start: generating the synthetic data set into {} (profiles from {})",
               dir.string(), o.config_dir.string());
  auto users = data::ReadUserProfiles(o.config_dir / "user.tsv");
  if (!users.ok()) return users.error();
  auto locations = data::ReadLocationProfiles(o.config_dir / "location.tsv");
  if (!locations.ok()) return locations.error();
  data::DatasetOptions options;
  options.seed = o.seed;
  auto dataset = data::GenerateDataset(*users, *locations, options);
  if (!dataset.ok()) return dataset.error();
  return data::WriteDataset(*dataset, dir,
                            [](std::string_view line) { spdlog::info("dataset: {}", line); });
}

Result<ml::Model> EnsureBaseline(const BootstrapOptions& o, const fs::path& dataset_dir,
                                 const fs::path& model_dir) {
  if (fs::exists(model_dir / ml::kModelJsonName)) {
    auto model = ml::LoadModel(model_dir);
    if (model.ok()) return model;
    return MakeError(model.error().code,
                     model.error().message + " (delete " + model_dir.string() + " to retrain)");
  }
  auto data = ml::ReadLabelledTsv(dataset_dir / "dataset_labelled.tsv");
  if (!data.ok()) return data.error();
  auto split = ml::SplitHeadTail(*data, 0.2);
  spdlog::info("first start: training the baseline model on {} rows ({} test rows), {} epochs",
               split.train.rows(), split.test.rows(), o.epochs);
  ml::TrainOptions options;
  options.seed = o.seed;
  options.epochs = o.epochs;
  auto model = ml::TrainAndEvaluate(split.train, split.test, options, [](const auto& p) {
    if (p.epoch == 1 || p.epoch % 10 == 0 || p.epoch == p.epochs) {
      spdlog::info("baseline: epoch {}/{} loss {:.4f} ({:.2f} s)", p.epoch, p.epochs, p.mean_loss,
                   p.elapsed_seconds);
    }
    return true;
  });
  if (!model.ok()) return model.error();
  MLPROD_RETURN_IF_ERROR(ml::SaveModel(*model, model_dir));
  const auto& m = model->metadata().test;
  spdlog::info("baseline: test auc {:.4f} acc {:.4f} precision {:.4f} recall {:.4f} f1 {:.4f}",
               m.auc, m.acc, m.pre, m.rec, m.f1);
  return model;
}

// A baseline row whose folder does not load (the data dir was moved or recreated and the row
// holds the old absolute path) is pointed at this data dir's baseline, which just loaded.
Status RepairBaselineRow(store::Store& store, const fs::path& data_dir, const store::ModelRow& row,
                         const std::string& stored) {
  if (row.path == stored) return OkStatus();
  const fs::path folder = ml::ResolveModelFolder(data_dir, row.path);
  if (ml::LoadModel(folder).ok()) return OkStatus();
  spdlog::warn(
      "bootstrap: REPAIR: the baseline's row points at {}, which does not load; "
      "pointing it at this data dir's baseline ({})",
      row.path, stored);
  return store.SetModelPath("baseline", stored);
}

store::Metrics5 ToStore(const ml::Metrics& m) {
  return store::Metrics5{m.acc, m.auc, m.pre, m.rec, m.f1};
}

}  // namespace

Status Bootstrap(store::Store& store, const BootstrapOptions& o) {
  const fs::path dataset_dir = o.data_dir / "dataset";
  const fs::path model_dir = fs::absolute(o.data_dir / "models" / "baseline");
  std::error_code ec;
  fs::create_directories(o.data_dir / "models", ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot create " + (o.data_dir / "models").string() + ": " + ec.message());
  }
  MLPROD_RETURN_IF_ERROR(EnsureDataset(o, dataset_dir));
  auto baseline = EnsureBaseline(o, dataset_dir, model_dir);
  if (!baseline.ok()) return baseline.error();

  MLPROD_RETURN_IF_ERROR(store.Migrate());
  auto locations = data::ReadLocationsTsv(dataset_dir / "dataset_locations.tsv");
  if (!locations.ok()) return locations.error();
  MLPROD_RETURN_IF_ERROR(store.LoadLocationsIfEmpty(*locations));

  auto existing = store.GetModel("baseline");
  if (!existing.ok()) return existing.error();
  const std::string stored = ml::StoredModelFolder(o.data_dir, model_dir);
  if (existing->has_value()) return RepairBaselineRow(store, o.data_dir, **existing, stored);
  auto active = store.ActiveModels();
  if (!active.ok()) return active.error();
  store::ModelRow row;
  row.task_id = "baseline";
  // The first model is the primary one; next to models already serving it is only a retired
  // fallback an operator may promote.
  row.status = active->empty() ? "promoted" : "retired";
  row.reason = "baseline registered at bootstrap";
  row.path = stored;
  row.use_percentage = active->empty() ? 1.0 : 0.0;
  row.train = ToStore(baseline->metadata().train);
  row.test = ToStore(baseline->metadata().test);
  MLPROD_RETURN_IF_ERROR(store.RegisterModel(row));
  spdlog::info("registered the baseline model (use_percentage {:.1f})", row.use_percentage);
  return OkStatus();
}

}  // namespace mlprod::app
