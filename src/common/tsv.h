// Tab-separated tables with a header line: reading (with clear errors naming file and line) and
// atomic writing (temp file + rename, so a crash never leaves half a file). Not thread-safe per
// object; distinct objects are independent.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mlprod {

struct TsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // every row has header.size() fields

  // Index of a header column, or -1.
  int Column(std::string_view name) const;
};

// Reads a TSV file; every row must have as many fields as the header.
Result<TsvTable> ReadTsv(const std::filesystem::path& path);
Result<TsvTable> ParseTsv(std::string_view text, std::string_view source_name);

// Writes the table atomically (path.tmp then rename).
Status WriteTsv(const std::filesystem::path& path, const TsvTable& table);
// Writes any text atomically.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content);

// Strict number parsing for table cells (whole cell must be consumed).
Result<double> ParseDouble(std::string_view s);
Result<long long> ParseInt(std::string_view s);

}  // namespace mlprod
