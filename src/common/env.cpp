#include "common/env.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mlprod {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<std::map<std::string, std::string>> Environment::ParseDotEnv(std::string_view text) {
  std::map<std::string, std::string> values;
  int line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = Trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       ".env line " + std::to_string(line_no) + ": expected KEY=VALUE");
    }
    std::string_view key = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (const auto hash = value.find(" #"); hash != std::string_view::npos) {
      value = Trim(value.substr(0, hash));  // trailing comment, as in the SPEC's example
    }
    values[std::string(key)] = std::string(value);
  }
  return values;
}

Result<Environment> Environment::Load(const std::filesystem::path& dotenv) {
  Environment env;
  std::error_code ec;
  if (!dotenv.empty() && std::filesystem::exists(dotenv, ec)) {
    std::ifstream in(dotenv);
    if (!in) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot read " + dotenv.string());
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = ParseDotEnv(ss.str());
    if (!parsed.ok()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       dotenv.string() + ": " + parsed.error().message);
    }
    env.file_values_ = std::move(parsed.value());
  }
  return env;
}

Environment Environment::FromMap(std::map<std::string, std::string> values) {
  Environment env;
  env.file_values_ = std::move(values);
  env.use_process_env_ = false;
  return env;
}

std::optional<std::string> Environment::Get(const std::string& name) const {
  if (use_process_env_) {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
  }
  if (auto it = file_values_.find(name); it != file_values_.end()) return it->second;
  return std::nullopt;
}

std::string Environment::GetOr(const std::string& name, std::string_view fallback) const {
  auto v = Get(name);
  return v && !v->empty() ? *v : std::string(fallback);
}

}  // namespace mlprod
