// Where tests find the checkout and the built `mlprod` binary: the MLPROD_SOURCE_DIR and
// MLPROD_BINARY environment variables when set, else the paths CMake compiled in.
#pragma once

#include <cstdlib>
#include <string>

namespace mlprod::testing {

inline std::string SourceDir() {
  const char* v = std::getenv("MLPROD_SOURCE_DIR");
  return v != nullptr && *v != '\0' ? v : MLPROD_TEST_SOURCE_DIR;
}

inline std::string BinaryPath() {
  const char* v = std::getenv("MLPROD_BINARY");
  return v != nullptr && *v != '\0' ? v : MLPROD_TEST_BINARY;
}

}  // namespace mlprod::testing
