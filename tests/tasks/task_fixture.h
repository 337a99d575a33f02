// The in-memory store of tests/fakes loaded with generated locations (model folders and the data
// set in a temp dir), plus helpers that play users through the store (start → results → pick)
// so tasks see real labelled rows.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/uuid.h"
#include "data/dataset.h"
#include "data/profiles.h"
#include "fakes/memory_store.h"
#include "ml/model_io.h"
#include "ml/train.h"
#include "tasks/model_pool.h"

namespace mlprod::tasks {

class TaskFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("mlprod_tasks_" + NewUuid().substr(0, 8));
    std::filesystem::create_directories(dir_ / "models");
    store_ = fakes::MemoryStore();
    ASSERT_TRUE(store_->Migrate().ok());  // migrated already: a second run changes nothing
    const auto config = data::SourceConfigDir();
    auto users = data::ReadUserProfiles(config / "user.tsv");
    auto locations = data::ReadLocationProfiles(config / "location.tsv");
    ASSERT_TRUE(users.ok() && locations.ok());
    data::DatasetOptions options;
    options.seed = 7;
    options.users = 400;
    auto dataset = data::GenerateDataset(*users, *locations, options);
    ASSERT_TRUE(dataset.ok()) << dataset.error().message;
    dataset_ = std::move(dataset.value());
    ASSERT_TRUE(store_->LoadLocationsIfEmpty(dataset_.locations).ok());
    // The generator-labelled set as the first start writes it: the reference data of training.
    ASSERT_TRUE(data::WriteDataset(dataset_, dir_ / "dataset").ok());
  }

  std::filesystem::path ReferenceData() const { return dir_ / "dataset" / "dataset_labelled.tsv"; }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Trains a small model on the generated rows, with labels flipped at random when `noise`, and
  // registers it as the active "baseline".
  void RegisterBaseline(bool noise) {
    std::vector<ml::LabelledExample> examples;
    std::mt19937 rng(3);
    for (const auto& row : dataset_.rows) {
      int label = row.label;
      if (noise) label = (rng() % 10 == 0) ? 1 : 0;
      examples.push_back({dataset_.users[row.user].user, dataset_.locations[row.location], label});
    }
    auto data = ml::DatasetFromExamples(examples);
    ASSERT_TRUE(data.ok());
    ml::TrainOptions options;
    options.epochs = 20;
    auto model = ml::TrainAndEvaluate(*data, ml::Dataset{}, options);
    ASSERT_TRUE(model.ok()) << model.error().message;
    const auto path = dir_ / "models" / "baseline";
    ASSERT_TRUE(ml::SaveModel(*model, path).ok());
    store::ModelRow row;
    row.task_id = "baseline";
    row.status = "promoted";
    row.path = path.string();
    row.use_percentage = 1.0;
    ASSERT_TRUE(store_->RegisterModel(row).ok());
  }

  // A second active model `id` with the baseline's weights in `state`: "canary" (interleaved
  // on `share` of the tasks) or "promoted" (taking `share` of the split, the baseline keeping
  // the rest). Call after RegisterBaseline.
  void RegisterSecondModel(const std::string& id, const std::string& state, double share) {
    auto baseline = store_->GetModel("baseline");
    ASSERT_TRUE(baseline.ok() && baseline->has_value());
    store::ModelRow row = **baseline;
    row.task_id = id;
    row.status = state;
    row.use_percentage = share;
    ASSERT_TRUE(store_->RegisterModel(row).ok());
    if (state != "canary") {
      ASSERT_TRUE(store_->SetModelUsePercentage("baseline", 1.0 - share).ok());
    }
  }

  // Plays users [first, last) of the data set through the store: one inference each, its
  // (distinct) sampled locations as results, all shown, and the first generated pick as its
  // label (a task has one answer) — inverted (the worst-scored location picked instead) when
  // `garbage`. With `explored` each list is stored as an explored one (propensity 0.05 / n
  // each) and a list without a pick is answered "no pick". Returns the number of result rows
  // written.
  int PlayUsers(std::size_t first, std::size_t last, bool garbage, bool explored = false) {
    int written = 0;
    std::size_t row = 0;
    for (std::size_t u = 0; u < last && row < dataset_.rows.size(); ++u) {
      const std::size_t begin = row;
      while (row < dataset_.rows.size() && dataset_.rows[row].user == dataset_.rows[begin].user) {
        ++row;
      }
      if (u < first) continue;
      const auto& user = dataset_.users[dataset_.rows[begin].user].user;
      const std::string task_id = NewUuid();
      auto user_id = store_->StartInference(user, task_id);
      EXPECT_TRUE(user_id.ok()) << user_id.error().message;
      if (!user_id.ok()) return written;
      std::vector<store::ScoredLocation> scored;
      std::set<std::int64_t> seen;
      std::vector<std::int64_t> picks;
      for (std::size_t r = begin; r < row; ++r) {
        const auto id = dataset_.locations[dataset_.rows[r].location].location_id;
        if (!seen.insert(id).second) continue;
        const bool picked = dataset_.rows[r].label == 1;
        scored.push_back({id, 0.5});
        if (picked != garbage) picks.push_back(id);
      }
      if (garbage && picks.size() == scored.size()) picks.clear();
      if (garbage && picks.size() > 1) picks.resize(1);
      if (explored) {
        std::vector<int> ranks(scored.size());
        for (std::size_t i = 0; i < ranks.size(); ++i) ranks[i] = static_cast<int>(i);
        std::vector<double> propensities(scored.size(), 0.05 / scored.size());
        EXPECT_TRUE(store_
                        ->SaveExploredResults(task_id, *user_id, "baseline", scored,
                                              store::Exploration{ranks, propensities})
                        .ok());
      } else {
        EXPECT_TRUE(store_->SaveResults(task_id, *user_id, "baseline", scored).ok());
      }
      EXPECT_TRUE(store_->TopResults(task_id, static_cast<int>(scored.size())).ok());
      // One answer per task (the store keeps the first): the first of the generated picks.
      if (!picks.empty()) {
        EXPECT_TRUE(store_->SelectResult(task_id, picks.front()).ok());
      }
      if (explored && picks.empty()) {
        EXPECT_TRUE(store_->RejectResults(task_id).ok());
      }
      written += static_cast<int>(scored.size());
    }
    return written;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  data::Dataset dataset_;
};

}  // namespace mlprod::tasks
