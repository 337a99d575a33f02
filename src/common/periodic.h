// A background job: runs a function every interval on a thread of its own until Stop (or
// destruction), waking at once on Stop. Not the job itself. Thread-safe: Start once, Stop from
// any thread, any number of times.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <thread>

#include "common/mutex.h"

namespace mlprod {

class Periodic {
 public:
  Periodic() = default;
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  // Runs `job` every `interval` (the first run one interval after Start).
  void Start(std::chrono::milliseconds interval, std::function<void()> job);
  // Returns once a running job has finished; no job runs afterwards.
  void Stop();

 private:
  Mutex mu_;
  std::condition_variable cv_;
  bool stop_ MLPROD_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mlprod
