// Process configuration source: the process environment plus an optional `.env` file in the
// format of docker compose and python-dotenv (common/dotenv.h). The environment wins over the
// file, for a variable itself and inside the file's ${...}. Immutable after Load; thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mlprod {

class Environment {
 public:
  // Reads the .env file at `path`. A missing file is an error (kNotFound) only when `required`
  // (a file named by --env-file); the default .env is optional. Bad content is kInvalidArgument
  // with the path and line.
  static Result<Environment> Load(const std::filesystem::path& path = ".env",
                                  bool required = false);
  // .env text read against an explicit stand-in for the process environment (tests).
  static Result<Environment> FromText(std::string_view text,
                                      std::map<std::string, std::string> process_env);
  // An environment made of explicit values only (tests).
  static Environment FromMap(std::map<std::string, std::string> values);

  // The value of name, or nullopt when unset. An empty value counts as set-but-empty.
  std::optional<std::string> Get(const std::string& name) const;
  // The value of name, or fallback when unset or empty.
  std::string GetOr(const std::string& name, std::string_view fallback) const;

  // The file read (empty when none was) and its notes, e.g. references to unset variables.
  const std::filesystem::path& file() const { return file_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::optional<std::string> FromProcess(const std::string& name) const;

  std::map<std::string, std::string> file_values_;
  bool use_process_env_ = true;
  std::optional<std::map<std::string, std::string>> process_stand_in_;  // tests; else getenv
  std::filesystem::path file_;
  std::vector<std::string> warnings_;
};

}  // namespace mlprod
