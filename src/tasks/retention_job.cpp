#include "tasks/retention_job.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "common/time_util.h"

namespace mlprod::tasks {
namespace {

void AddTo(store::RetentionCounts& total, const store::RetentionCounts& c) {
  total.inferences += c.inferences;
  total.results += c.results;
  total.users += c.users;
  total.events += c.events;
  total.batches += c.batches;
  total.largest_batch = std::max(total.largest_batch, c.largest_batch);
  total.longest_batch = std::max(total.longest_batch, c.longest_batch);
  total.batches_over_10ms += c.batches_over_10ms;
  total.vacuumed_pages += c.vacuumed_pages;
  total.more = c.more;
}

}  // namespace

std::string RetentionCutoff(std::chrono::system_clock::time_point now, int days) {
  return FormatTimestamp(now - std::chrono::days(days)) + "Z";
}

std::string EncodeRetentionCursor(const store::RetentionCursor& cursor) {
  nlohmann::json j = nlohmann::json::object();
  if (cursor.rowid != 0) j["rowid"] = cursor.rowid;
  if (!cursor.time.empty()) j["time"] = cursor.time;
  if (!cursor.task_id.empty()) j["task_id"] = cursor.task_id;
  return j.empty() ? std::string() : j.dump();
}

store::RetentionCursor DecodeRetentionCursor(std::string_view text) {
  store::RetentionCursor cursor;
  if (text.empty()) return cursor;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    spdlog::warn("data retention: saved position '{}' is not a JSON object; walking from the start",
                 text);
    return cursor;
  }
  if (auto it = j.find("rowid"); it != j.end() && it->is_number_integer()) {
    cursor.rowid = it->get<std::int64_t>();
  }
  if (auto it = j.find("time"); it != j.end() && it->is_string()) cursor.time = *it;
  if (auto it = j.find("task_id"); it != j.end() && it->is_string()) cursor.task_id = *it;
  return cursor;
}

RetentionJob::RetentionJob(store::HistoryStore& history, store::CoordinationStore& coordination,
                           RetentionJobOptions options,
                           std::function<void(const store::RetentionCounts&)> on_deleted)
    : history_(history),
      coordination_(coordination),
      options_(std::move(options)),
      on_deleted_(std::move(on_deleted)),
      lease_(coordination, kRetentionLease, "data retention", options_.holder, options_.lease_ttl) {
}

RetentionJob::~RetentionJob() {
  periodic_.Stop();
  MutexLock run(run_mu_);  // a RunOnce of another thread ends before the lease goes
}

Result<store::RetentionCounts> RetentionJob::RunOnce() {
  MutexLock run(run_mu_);
  store::RetentionCounts total;
  if (options_.retention_days <= 0) return total;
  const auto start = options_.clock->SteadyNow();
  store::RetentionOptions batches = options_.batches;
  for (int call = 0; call < options_.max_calls; ++call) {
    const auto now = options_.clock->Now();
    auto held = lease_.Hold(now);
    if (!held.ok()) return held.error();
    if (!*held) break;
    if (call == 0) {  // another holder may have moved the walk since this process last ran it
      auto saved = coordination_.JobProgress(kRetentionLease);
      if (!saved.ok()) return saved.error();
      cursor_ = DecodeRetentionCursor(*saved);
    }
    batches.cutoff = RetentionCutoff(now, options_.retention_days);
    const std::string before = EncodeRetentionCursor(cursor_);
    auto counts = history_.DeleteExpiredHistory(batches, cursor_);
    if (!counts.ok()) return counts.error();
    AddTo(total, *counts);
    if (const std::string after = EncodeRetentionCursor(cursor_); after != before) {
      MLPROD_RETURN_IF_ERROR(coordination_.SaveJobProgress(kRetentionLease, after));
    }
    if (!counts->more) break;
  }
  if (total.total() > 0) {
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.clock->SteadyNow() - start);
    spdlog::info(
        "data retention: deleted {} inferences, {} results, {} users, {} events older than {} "
        "days in {} ms ({} transactions, largest {} rows, longest lock hold {} us, {} over "
        "10 ms; {} pages vacuumed{})",
        total.inferences, total.results, total.users, total.events, options_.retention_days,
        took.count(), total.batches, total.largest_batch, total.longest_batch.count(),
        total.batches_over_10ms, total.vacuumed_pages,
        total.more ? "; more left for the next run" : "");
    if (on_deleted_) on_deleted_(total);
  }
  return total;
}

void RetentionJob::Start(std::chrono::milliseconds interval) {
  periodic_.Start(interval, [this] {
    if (auto r = RunOnce(); !r.ok()) spdlog::warn("data retention: {}", r.error().message);
  });
}

}  // namespace mlprod::tasks
