#include "fakes/memory_store.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace mlprod::fakes {
namespace {

[[noreturn]] void Die(const std::string& what, const Error& error) {
  std::fprintf(stderr, "fakes::MemoryStore: %s: %s\n", what.c_str(), error.message.c_str());
  std::abort();
}

}  // namespace

std::unique_ptr<store::Store> MemoryStore(store::StoreOptions options) {
  auto opened = store::OpenStore("sqlite::memory:", options);
  if (!opened.ok()) Die("open", opened.error());
  std::unique_ptr<store::Store> store = std::move(opened).value();
  if (Status migrated = store->Migrate(); !migrated.ok()) Die("migrate", migrated.error());
  return store;
}

}  // namespace mlprod::fakes
