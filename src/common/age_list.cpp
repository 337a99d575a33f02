#include "common/age_list.h"

#include <string>

#include "common/tsv.h"

namespace mlprod {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::vector<int>> ParseAgeList(std::string_view text) {
  const std::string shown(text.substr(0, 60));
  auto fail = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a list of ages ('[34, 36, 5]' or '34,36,5'): '" + shown + "': " + why);
  };
  std::string_view s = Trim(text);
  if (s.starts_with('[') != s.ends_with(']') || s == "[") return fail("unbalanced brackets");
  if (s.starts_with('[')) s = Trim(s.substr(1, s.size() - 2));
  if (s.empty()) return fail("no ages");
  std::vector<int> ages;
  while (true) {
    const auto comma = s.find(',');
    const std::string_view item = Trim(s.substr(0, comma));
    auto age = ParseInt(item);
    if (!age.ok()) return fail("'" + std::string(item) + "' is no whole number");
    if (*age < 0 || *age > 150) return fail(std::to_string(*age) + " is outside [0, 150]");
    ages.push_back(static_cast<int>(*age));
    if (comma == std::string_view::npos) break;
    s = s.substr(comma + 1);
  }
  return ages;
}

}  // namespace mlprod
