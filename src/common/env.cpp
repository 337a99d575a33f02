#include "common/env.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/dotenv.h"

namespace mlprod {

Result<Environment> Environment::Load(const std::filesystem::path& path, bool required) {
  Environment env;
  std::error_code ec;
  const bool exists = !path.empty() && std::filesystem::exists(path, ec);
  if (!exists) {
    if (!required) return env;
    return MakeError(ErrorCode::kNotFound, "env file " + path.string() + " does not exist" +
                                               (ec ? " (" + ec.message() + ")" : std::string()));
  }
  if (std::filesystem::is_directory(path, ec)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "env file " + path.string() + " is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kInvalidArgument, "cannot read env file " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed =
      ParseDotEnvText(ss.str(), [&env](const std::string& name) { return env.FromProcess(name); });
  if (!parsed.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, path.string() + ": " + parsed.error().message);
  }
  env.file_values_ = std::move(parsed->values);
  for (auto& w : parsed->warnings) env.warnings_.push_back(path.string() + ": " + w);
  env.file_ = path;
  return env;
}

Result<Environment> Environment::FromText(std::string_view text,
                                          std::map<std::string, std::string> process_env) {
  Environment env;
  env.process_stand_in_ = std::move(process_env);
  auto parsed =
      ParseDotEnvText(text, [&env](const std::string& name) { return env.FromProcess(name); });
  if (!parsed.ok()) return parsed.error();
  env.file_values_ = std::move(parsed->values);
  env.warnings_ = std::move(parsed->warnings);
  return env;
}

Environment Environment::FromMap(std::map<std::string, std::string> values) {
  Environment env;
  env.file_values_ = std::move(values);
  env.use_process_env_ = false;
  return env;
}

std::optional<std::string> Environment::FromProcess(const std::string& name) const {
  if (!use_process_env_) return std::nullopt;
  if (process_stand_in_) {
    auto it = process_stand_in_->find(name);
    return it == process_stand_in_->end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

std::optional<std::string> Environment::Get(const std::string& name) const {
  if (auto v = FromProcess(name)) return v;
  if (auto it = file_values_.find(name); it != file_values_.end()) return it->second;
  return std::nullopt;
}

std::string Environment::GetOr(const std::string& name, std::string_view fallback) const {
  auto v = Get(name);
  return v && !v->empty() ? *v : std::string(fallback);
}

}  // namespace mlprod
