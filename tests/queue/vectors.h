// Loads the Celery 5.2 wire captures in tests/queue/vectors/ (see its README). Test helper only.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace mlprod::queue::testing {

inline nlohmann::json LoadVector(const std::string& name) {
  const std::string path = std::string(MLPROD_QUEUE_VECTORS) + "/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

}  // namespace mlprod::queue::testing
