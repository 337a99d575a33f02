// The `.env` file format as docker compose and python-dotenv read it: NAME=VALUE statements,
// quoting, comments and ${VAR} expansion (the rules are in docs/compatibility.md, "## .env").
// Pure text in, values out: no file or process access here. Thread-safe (no shared state).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mlprod {

// Looks a variable up in the process environment (or a test's stand-in); nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct DotEnvFile {
  // Every NAME=VALUE of the file, expanded. A name the process environment sets keeps the
  // file's value here; the environment wins when it is read (Environment::Get).
  std::map<std::string, std::string> values;
  // "line N: ..." notes that are no errors, e.g. a reference to a variable set nowhere (compose
  // warns and substitutes the empty string, as done here).
  std::vector<std::string> warnings;
};

// Parses .env text. ${NAME} and $NAME resolve first from process_env (when given), then from
// the file's earlier statements, as compose and load_dotenv(override=False) do. Errors
// (kInvalidArgument) start with "line N: " and say what is wrong.
Result<DotEnvFile> ParseDotEnvText(std::string_view text, const EnvLookup& process_env = {});

}  // namespace mlprod
