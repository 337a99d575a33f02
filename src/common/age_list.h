// Reading the people_age cell of a data-set file: the reference's Python list "[34, 36, 5]" or
// mlprod's "34,36,5" (data/records_tsv.h writes the latter). Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"

namespace mlprod {

// At least one age, each a whole number in [0, 150]; otherwise kInvalidArgument saying why.
Result<std::vector<int>> ParseAgeList(std::string_view text);

}  // namespace mlprod
