#include "tasks/training_data.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

namespace mlprod::tasks {
namespace {

Status NeedBothClasses(const ml::Dataset& d, const char* split) {
  const auto pos = d.positives();
  if (pos == 0 || pos == d.rows()) {
    return MakeError(ErrorCode::kConflict,
                     std::string("the ") + split + " split has " + std::to_string(d.rows()) +
                         " rows but only one class (" + std::to_string(pos) +
                         " picks): more users must pick or skip results before training");
  }
  return OkStatus();
}

// The generator writes the rows of one user's list together, DatasetOptions::locations_per_user
// (10) of them: the reference holdout's bootstrap unit.
std::vector<std::int64_t> ReferenceGroups(std::int64_t rows) {
  std::vector<std::int64_t> groups(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) groups[static_cast<std::size_t>(i)] = i / 10;
  return groups;
}

// The rows of each list together, lists oldest first (the store returns rows newest first, and
// with concurrent writers the ids of two lists may interleave).
std::vector<std::vector<store::LabelledResult>> ListsOldestFirst(
    std::vector<store::LabelledResult> rows) {
  std::vector<std::vector<store::LabelledResult>> lists;
  std::unordered_map<std::string, std::size_t> index;
  for (auto& r : rows) {
    auto [it, fresh] = index.try_emplace(r.task_id, lists.size());
    if (fresh) lists.emplace_back();
    lists[it->second].push_back(std::move(r));
  }
  std::reverse(lists.begin(), lists.end());
  for (auto& l : lists) std::reverse(l.begin(), l.end());
  return lists;
}

Result<ml::Dataset> ToDataset(const std::vector<std::vector<store::LabelledResult>>& lists,
                              std::size_t begin, std::size_t end,
                              std::vector<std::int64_t>* result_ids,
                              std::vector<std::int64_t>* groups) {
  std::vector<ml::LabelledExample> examples;
  for (std::size_t g = begin; g < end; ++g) {
    for (const auto& r : lists[g]) {
      examples.push_back(ml::LabelledExample{r.user, r.location, r.label});
      if (result_ids) result_ids->push_back(r.result_id);
      if (groups) groups->push_back(static_cast<std::int64_t>(g));
    }
  }
  return ml::DatasetFromExamples(examples);
}

Result<TrainingData> FromExplored(std::vector<std::vector<store::LabelledResult>> lists,
                                  const ReferenceData& reference,
                                  const TrainingDataOptions& options) {
  const std::size_t n = lists.size();
  const auto held = std::clamp<std::size_t>(
      static_cast<std::size_t>(static_cast<double>(n) * options.explored_holdout), 1, n - 1);
  TrainingData out;
  auto live = ToDataset(lists, 0, n - held, &out.result_ids, nullptr);
  if (!live.ok()) return live.error();
  auto holdout = ToDataset(lists, n - held, n, nullptr, &out.groups);
  if (!holdout.ok()) return holdout.error();
  MLPROD_RETURN_IF_ERROR(NeedBothClasses(*holdout, "explored holdout"));
  out.live_train_rows = live->rows();
  out.train = Concat(*live, reference.train);
  out.holdout = std::move(holdout).value();
  out.holdout_name = "explored";
  out.evidence = {{"source", "explored lists + generator training split"},
                  {"explored_lists", n},
                  {"live_train_rows", out.live_train_rows},
                  {"reference_train_rows", reference.train.rows()},
                  {"holdout", "explored"},
                  {"holdout_lists", held}};
  return out;
}

Result<TrainingData> FromShown(std::vector<store::LabelledResult> rows, std::size_t explored_lists,
                               const ReferenceData& reference, const TrainingDataOptions& options) {
  const auto n = static_cast<std::int64_t>(rows.size());
  if (n < options.min_rows) {
    return MakeError(ErrorCode::kConflict, "not enough shown results to train: have " +
                                               std::to_string(n) + ", need at least " +
                                               std::to_string(options.min_rows) + " (and " +
                                               std::to_string(explored_lists) + " of the " +
                                               std::to_string(options.min_explored_lists) +
                                               " explored lists that would train without them)");
  }
  TrainingData out;
  std::vector<ml::LabelledExample> examples;
  examples.reserve(rows.size());
  for (auto& r : rows) {
    out.result_ids.push_back(r.result_id);
    examples.push_back(ml::LabelledExample{std::move(r.user), std::move(r.location), r.label});
  }
  auto dataset = ml::DatasetFromExamples(examples);
  if (!dataset.ok()) return dataset.error();
  const auto n_train = TrainRowCount(n, options);
  const auto shown_train = ml::SliceRows(*dataset, 0, n_train);
  MLPROD_RETURN_IF_ERROR(NeedBothClasses(shown_train, "training"));
  out.shown_test = ml::SliceRows(*dataset, n_train, n);
  MLPROD_RETURN_IF_ERROR(NeedBothClasses(*out.shown_test, "test"));
  out.result_ids.resize(static_cast<std::size_t>(n_train));
  out.live_train_rows = shown_train.rows();
  out.train = Concat(shown_train, reference.train);
  out.holdout = reference.holdout;
  out.groups = ReferenceGroups(reference.holdout.rows());
  out.holdout_name = "reference";
  out.evidence = {{"source", "shown results + generator training split"},
                  {"explored_lists", explored_lists},
                  {"live_train_rows", out.live_train_rows},
                  {"reference_train_rows", reference.train.rows()},
                  {"holdout", "reference"},
                  {"holdout_lists", reference.holdout.rows() / 10}};
  return out;
}

}  // namespace

std::int64_t TrainRowCount(std::int64_t n, const TrainingDataOptions& options) {
  if (n >= options.newest_results) return options.train_rows;
  auto rows = n * options.train_rows / options.newest_results;
  return std::min(rows, n - 1);
}

ml::Dataset Concat(const ml::Dataset& a, const ml::Dataset& b) {
  ml::Dataset out;
  out.x.resize(a.rows() + b.rows(), Eigen::NoChange);
  out.x.topRows(a.rows()) = a.x;
  out.x.bottomRows(b.rows()) = b.x;
  out.y = a.y;
  out.y.insert(out.y.end(), b.y.begin(), b.y.end());
  return out;
}

Result<TrainingData> BuildTrainingData(
    std::vector<store::LabelledResult> explored,
    const std::function<Result<std::vector<store::LabelledResult>>()>& shown,
    const ReferenceData& reference, const TrainingDataOptions& options) {
  auto lists = ListsOldestFirst(std::move(explored));
  const std::size_t min_lists = std::max(options.min_explored_lists, 2);
  if (lists.size() >= min_lists) return FromExplored(std::move(lists), reference, options);
  auto rows = shown();
  if (!rows.ok()) return rows.error();
  return FromShown(std::move(rows).value(), lists.size(), reference, options);
}

}  // namespace mlprod::tasks
