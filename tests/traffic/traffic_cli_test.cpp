// Black-box test of `mlprod traffic` against the real `mlprod serve` (no fake server): both are
// the built binary (MLPROD_BINARY), talking over 127.0.0.1.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "test_env.h"

namespace {

namespace fs = std::filesystem;

std::string Binary() { return mlprod::testing::BinaryPath(); }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `mlprod serve --port 0` in a temp dir, stopped with SIGTERM at the end of the test.
class ServeProcess {
 public:
  ServeProcess() {
    std::string tmpl = (fs::temp_directory_path() / "mlprod-traffic-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data()) ? fs::path(tmpl) : fs::path();
    const std::string log = (dir_ / "serve.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      const std::string data_dir = (dir_ / "data").string();
      const std::string binary = Binary();
      execl(binary.c_str(), binary.c_str(), "serve", "--port", "0", "--data-dir", data_dir.c_str(),
            "--log-level", "warn", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // The base URL once the server listens (first start trains the baseline: allow a while).
  std::string WaitForUrl(std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      const std::string log = ReadFile(dir_ / "serve.log");
      const auto at = log.find("listening on http://");
      if (at != std::string::npos) {
        const auto start = at + std::string("listening on ").size();
        const auto end = log.find_first_of(" \n", start);
        if (end != std::string::npos) return log.substr(start, end - start);
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "serve did not start; its log:\n" << ReadFile(dir_ / "serve.log");
    return "";
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
};

TEST(TrafficCommand, DrivesARealServerThroughEveryRoute) {
  ServeProcess serve;
  const std::string url = serve.WaitForUrl(std::chrono::seconds(180));
  ASSERT_FALSE(url.empty());
  const fs::path out = serve.dir() / "summary.json", err = serve.dir() / "traffic.err";
  const std::string cmd = "'" + Binary() + "' traffic --url " + url +
                          " --users 4 --requests 40 --no-think --json >'" + out.string() + "' 2>'" +
                          err.string() + "'";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << ReadFile(err);

  const auto summary = nlohmann::json::parse(ReadFile(out), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << ReadFile(out);
  EXPECT_EQ(summary["loops"], 40) << summary.dump(2);
  EXPECT_EQ(summary["errors_total"], 0) << summary.dump(2);
  EXPECT_EQ(summary["picks"].get<int>() + summary["no_picks"].get<int>(), 40);
  EXPECT_EQ(summary["requests"]["POST /inference/start"]["count"], 40);
  EXPECT_GE(summary["requests"]["GET /inference/status/{task_id}"]["count"].get<int>(), 40);
  EXPECT_EQ(summary["requests"]["GET /inference/results/{task_id}"]["count"], 40);
  EXPECT_EQ(summary["requests"]["PUT /inference/select/"]["count"], 40);
  EXPECT_EQ(summary["start_to_success_ms"]["count"], 40);
  EXPECT_GT(summary["loop_ms"]["p99"].get<double>(), 0);
}

}  // namespace
