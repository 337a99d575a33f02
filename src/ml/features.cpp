#include "ml/features.h"

namespace mlprod::ml {
namespace {

// R's feature names by slot.
template <class R, int N>
constexpr std::array<std::string_view, N> NamesOf() {
  std::array<std::string_view, N> names{};
  ForEachField<R>([&names](const auto& field) {
    if (field.spec.feature >= 0) names[static_cast<std::size_t>(field.spec.feature)] = field.name;
  });
  return names;
}

constexpr std::array<std::string_view, kNumFeatures> AllNames() {
  std::array<std::string_view, kNumFeatures> all{};
  const auto user = NamesOf<User, kNumUserFeatures>();
  const auto location = NamesOf<Location, kNumLocationFeatures>();
  std::size_t next = 0;
  for (std::string_view name : user) all[next++] = name;
  for (std::string_view name : location) all[next++] = name;
  return all;
}

constexpr bool EverySlotNamed(const std::array<std::string_view, kNumFeatures>& names) {
  for (std::string_view n : names) {
    if (n.empty()) return false;
  }
  return true;
}

constexpr std::array<std::string_view, kNumFeatures> kNames = AllNames();
static_assert(EverySlotNamed(kNames), "the field table's feature slots must be 0..N-1, each once");

// Writes record's features into their slots (booleans as 0/1).
template <class R, std::size_t N>
void Features(const R& record, std::span<double, N> out) {
  ForEachField<R>([&](const auto& field) {
    if (field.spec.feature < 0) return;
    using T = typename std::decay_t<decltype(field)>::Type;
    if constexpr (std::is_arithmetic_v<T>) {
      out[static_cast<std::size_t>(field.spec.feature)] = static_cast<double>(record.*field.member);
    }
  });
}

}  // namespace

const std::array<std::string_view, kNumFeatures>& FeatureNames() { return kNames; }

void UserFeatures(const User& u, std::span<double, kNumUserFeatures> out) { Features(u, out); }

void LocationFeatures(const Location& l, std::span<double, kNumLocationFeatures> out) {
  Features(l, out);
}

}  // namespace mlprod::ml
