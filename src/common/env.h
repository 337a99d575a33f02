// Process configuration source: the environment plus an optional `.env` file (KEY=VALUE lines,
// `#` comments, optional `export ` prefix and quotes). Variables set in the real environment win
// over the file, as docker-compose does. Immutable after Load; safe to read from any thread.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mlprod {

class Environment {
 public:
  // Reads `dotenv` if it exists (a missing file is not an error; a malformed line is).
  static Result<Environment> Load(const std::filesystem::path& dotenv = ".env");
  // Parses .env text; exposed for tests.
  static Result<std::map<std::string, std::string>> ParseDotEnv(std::string_view text);
  // An environment made of explicit values only (tests).
  static Environment FromMap(std::map<std::string, std::string> values);

  // The value of name, or nullopt when unset. An empty value counts as set-but-empty.
  std::optional<std::string> Get(const std::string& name) const;
  // The value of name, or fallback when unset or empty.
  std::string GetOr(const std::string& name, std::string_view fallback) const;

 private:
  std::map<std::string, std::string> file_values_;
  bool use_process_env_ = true;
};

}  // namespace mlprod
