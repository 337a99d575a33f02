// Runs Python snippets against a real Celery 5.2 app on the test servers (infra tests only).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "common/uuid.h"

namespace mlprod::queue::testing {

inline bool HaveCelery() {
  return std::system("/usr/bin/python3 -c 'import celery' >/dev/null 2>&1") == 0;
}

// Runs a Python snippet with `app` (a Celery app on the test servers) and `queue` defined;
// returns its stdout, or nullopt when it failed.
inline std::optional<std::string> RunPython(const std::string& queue, const std::string& body) {
  const std::string script = ::testing::TempDir() + "/interop-" + NewUuid() + ".py";
  {
    std::ofstream out(script);
    out << "import json, os, sys\nimport celery\n"
        << "app = celery.Celery(broker=os.environ['MLPROD_TEST_AMQP_URL'],"
        << " backend=os.environ['MLPROD_TEST_REDIS_URL'])\n"
        << "queue = '" << queue << "'\n"
        << body;
  }
  std::string output;
  FILE* p = popen(("timeout 60 /usr/bin/python3 " + script + " 2>&1").c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) output.append(buf.data(), n);
  const int rc = pclose(p);
  std::remove(script.c_str());
  if (rc != 0) {
    ADD_FAILURE() << "python failed:\n" << output;
    return std::nullopt;
  }
  return output;
}

}  // namespace mlprod::queue::testing
