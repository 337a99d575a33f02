#include "common/tsv.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace mlprod {

int TsvTable::Column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

std::vector<std::string> SplitTabs(std::string_view line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.emplace_back(line.substr(start, tab == std::string_view::npos ? line.npos : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return out;
}

}  // namespace

Result<TsvTable> ParseTsv(std::string_view text, std::string_view source_name) {
  TsvTable table;
  int line_no = 0;
  bool have_header = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto fields = SplitTabs(line);
    if (!have_header) {
      table.header = std::move(fields);
      have_header = true;
      continue;
    }
    if (fields.size() != table.header.size()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(source_name) + ":" + std::to_string(line_no) + ": " +
                           std::to_string(fields.size()) + " fields, header has " +
                           std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(fields));
  }
  if (!have_header) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(source_name) + ": empty file, expected a header line");
  }
  return table;
}

Result<TsvTable> ReadTsv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot open " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseTsv(ss.str(), path.string());
}

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kUnavailable, "cannot write " + tmp);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return MakeError(ErrorCode::kUnavailable, "write failed: " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return MakeError(ErrorCode::kUnavailable, "cannot rename " + tmp + ": " + ec.message());
  }
  return OkStatus();
}

Status WriteTsv(const std::filesystem::path& path, const TsvTable& table) {
  std::string out;
  auto append_row = [&out](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out.push_back('\t');
      out += row[i];
    }
    out.push_back('\n');
  };
  append_row(table.header);
  for (const auto& row : table.rows) append_row(row);
  return WriteFileAtomic(path, out);
}

Result<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "not a number: '" + std::string(s) + "'");
  }
  return v;
}

Result<long long> ParseInt(std::string_view s) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "not an integer: '" + std::string(s) + "'");
  }
  return v;
}

}  // namespace mlprod
