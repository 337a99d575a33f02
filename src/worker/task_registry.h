// Maps Celery task names to the C++ handlers a worker runs. A name starting with "mlprod." also
// answers to its legacy form without that prefix (SPEC §4). Not a task implementation itself.
// Fill it before the worker starts; afterwards it is read-only and safe to share between threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "queue/task.h"

namespace mlprod::worker {

// Runs one task. The returned JSON is stored as the SUCCESS result; an error becomes FAILURE.
// Must be idempotent by task id: a redelivered message runs it again.
using TaskHandler = std::function<Result<nlohmann::json>(const queue::TaskMessage&)>;

class TaskRegistry {
 public:
  // Aborts when the name (or its legacy alias) is already taken: that is a wiring bug.
  void Register(std::string name, TaskHandler handler);

  struct Entry {
    std::string name;  // canonical (registered) name, for logs and metric labels
    std::shared_ptr<const TaskHandler> handler;
  };
  // nullptr when no handler answers to `name`.
  const Entry* Find(std::string_view name) const;

  // Canonical names, sorted.
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, Entry, std::less<>> by_name_;  // canonical names and aliases
};

}  // namespace mlprod::worker
