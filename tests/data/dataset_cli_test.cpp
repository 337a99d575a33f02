// Black-box tests of `mlprod dataset`: they run the built binary (MLPROD_BINARY) in a shell.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>

#include "data/test_util.h"

#include "test_env.h"

namespace mlprod::data {
namespace {

using testing::ReadFile;
using testing::TempDir;

struct ProcessRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `mlprod <args>` in cwd; args are passed to the shell as written.
ProcessRun Mlprod(const std::filesystem::path& cwd, const std::string& args) {
  const std::string binary = mlprod::testing::BinaryPath();
  const auto out = cwd / ".stdout", err = cwd / ".stderr";
  const std::string cmd = "cd '" + cwd.string() + "' && '" + binary + "' " + args + " >'" +
                          out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  ProcessRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

std::size_t Lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(DatasetCommand, HelpDocumentsEveryFlagWithItsDefault) {
  TempDir dir;
  const ProcessRun r = Mlprod(dir.path(), "dataset --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* text :
       {"--out", "--seed UINT=42", "--users INT=1000", "--locations-per-user INT=10",
        "--start-date TEXT=2026-01-01", "--config-dir", "default: config/"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << "missing '" << text << "' in\n" << r.out;
  }
}

TEST(DatasetCommand, WritesTheDataSetFromOutsideTheCheckout) {
  TempDir dir;
  const ProcessRun r = Mlprod(dir.path(), "dataset --out data");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(ReadFile(dir.path() / "data/dataset_users.tsv")), 171u);
  EXPECT_EQ(Lines(ReadFile(dir.path() / "data/dataset_locations.tsv")), 211u);
  EXPECT_EQ(Lines(ReadFile(dir.path() / "data/dataset_labelled.tsv")), 10001u);
  EXPECT_NE(r.err.find("10000 labelled rows"), std::string::npos) << r.err;
}

TEST(DatasetCommand, BadFlagValuesAreOneLineUsageErrors) {
  TempDir dir;
  for (const char* args :
       {"dataset --out d --start-date 2026-13-01", "dataset --out d --users 0"}) {
    const ProcessRun r = Mlprod(dir.path(), args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(Lines(r.err), 1u) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "d")) << args;
  }
}

TEST(DatasetCommand, UnreadableProfilesAreRuntimeErrorsNamingTheProblem) {
  TempDir dir;
  const ProcessRun missing = Mlprod(dir.path(), "dataset --out d --config-dir /nonexistent");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/user.tsv"), std::string::npos) << missing.err;

  std::filesystem::create_directories(dir.path() / "cfg");
  std::filesystem::copy(testing::ConfigDir() / "location.tsv", dir.path() / "cfg");
  testing::WriteFile(dir.path() / "cfg/user.tsv",
                     "meta_comment\tmeta_n\tbudget_min\nA\t2\tcheap\n");
  const ProcessRun bad = Mlprod(dir.path(), "dataset --out d --config-dir cfg");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("column budget_min: not a number: 'cheap'"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "d/dataset_users.tsv"));
}

}  // namespace
}  // namespace mlprod::data
