// What Store::DeleteExpiredHistory takes and returns: the cutoff, the adaptive batch bounds, the
// walk's position between calls and the rows deleted. Plain data; the walk itself is
// sql_store_retention.cpp and the job that runs it tasks/retention_job.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mlprod::store {

struct RetentionOptions {
  // ISO-8601 UTC ("2026-11-01T00:00:00Z"): finished, unanswered loops created before it and
  // events logged before it are deleted. Required.
  std::string cutoff;
  // Loops (or events) per write transaction: starts at first_batch, halves when a batch took
  // longer than shrink_above, doubles when it took less than grow_below, within
  // [min_batch, max_batch]. Defaults: 100, 10, 1000, 5 ms, 2 ms.
  int first_batch = 100;
  int min_batch = 10;
  int max_batch = 1000;
  std::chrono::microseconds shrink_above{5000};
  std::chrono::microseconds grow_below{2000};
  // Sleep between two write transactions, so serving writes get the lock. Default: 2 ms
  std::chrono::microseconds pause{2000};
  // Write transactions per call at most (the caller calls again while more is left, e.g. after
  // renewing its lease). Default: 200
  int max_batches = 200;
  // SQLite: pages given back to the file system per incremental_vacuum step, and steps per call.
  // Defaults: 256 (1 MiB of 4 KiB pages), 64.
  int vacuum_pages = 256;
  int max_vacuum_steps = 64;
};

// Where the walk over inferences stands: every loop before it has been looked at, and what was
// kept there (answered, in a data set, unfinished) is not looked at again by this walk. Starts
// empty (from the oldest loop); kept by the caller between calls.
struct RetentionCursor {
  std::int64_t rowid = 0;  // SQLite: the last inferences rowid walked
  std::string time;        // PostgreSQL: the last (time_creation, task_id) walked
  std::string task_id;
};

struct RetentionCounts {
  std::int64_t inferences = 0;
  std::int64_t results = 0;
  std::int64_t users = 0;
  std::int64_t events = 0;
  int batches = 0;        // write transactions that deleted rows
  int largest_batch = 0;  // loops (or events) of the largest one
  // The longest time one of them held the write lock (from its first statement to the end of
  // its COMMIT; not the wait for the lock), and how many held it over 10 ms.
  std::chrono::microseconds longest_batch{0};
  int batches_over_10ms = 0;
  std::int64_t vacuumed_pages = 0;  // SQLite: pages given back to the file system
  bool more = false;                // max_batches was reached with expired rows left

  std::int64_t total() const { return inferences + results + users + events; }
};

}  // namespace mlprod::store
