#include "worker/task_registry.h"

#include <cstdlib>
#include <iostream>

namespace mlprod::worker {
namespace {

constexpr std::string_view kPrefix = "mlprod.";

void Add(std::map<std::string, TaskRegistry::Entry, std::less<>>& map, const std::string& key,
         const TaskRegistry::Entry& entry) {
  if (!map.emplace(key, entry).second) {
    std::cerr << "fatal: task name '" << key << "' is registered twice\n";
    std::abort();
  }
}

}  // namespace

void TaskRegistry::Register(std::string name, TaskHandler handler) {
  if (name.empty() || !handler) {
    std::cerr << "fatal: TaskRegistry::Register needs a name and a handler\n";
    std::abort();
  }
  Entry entry{name, std::make_shared<const TaskHandler>(std::move(handler))};
  Add(by_name_, name, entry);
  if (name.starts_with(kPrefix) && name.size() > kPrefix.size()) {
    Add(by_name_, name.substr(kPrefix.size()), entry);
  }
}

const TaskRegistry::Entry* TaskRegistry::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

std::vector<std::string> TaskRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [key, entry] : by_name_) {
    if (key == entry.name) names.push_back(key);
  }
  return names;
}

}  // namespace mlprod::worker
