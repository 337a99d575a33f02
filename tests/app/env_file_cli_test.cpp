// Black-box tests of how the process commands read .env (the built binary in MLPROD_BINARY):
// --env-file, the default ./.env, the precedence line of --help, and the reference's .env.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_env.h"

namespace {

namespace fs = std::filesystem;

constexpr const char* kPrecedence =
    "Precedence: command-line flags > process environment > the .env file";

class EnvFileCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mlprod-envcli-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `<env> mlprod <args>` in the temp directory; stdout and stderr together.
  int Run(const std::string& env, const std::string& args) {
    const std::string cmd = "cd '" + dir_.string() + "' && " + env + " '" +
                            mlprod::testing::BinaryPath() + "' " + args + " > out.txt 2>&1";
    const int status = std::system(cmd.c_str());
    std::ifstream in(dir_ / "out.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    out_ = ss.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  fs::path dir_;
  std::string out_;
};

TEST_F(EnvFileCli, EveryCommandThatReadsDotEnvHasTheFlagAndThePrecedenceLine) {
  for (const char* command : {"serve", "api", "worker", "history"}) {
    ASSERT_EQ(Run("", std::string(command) + " --help"), 0) << out_;
    EXPECT_NE(out_.find("--env-file"), std::string::npos) << command << "\n" << out_;
    EXPECT_NE(out_.find(kPrecedence), std::string::npos) << command << "\n" << out_;
  }
}

TEST_F(EnvFileCli, ANamedEnvFileMustExist) {
  EXPECT_EQ(Run("", "serve --data-dir d --env-file nope.env"), 1);
  EXPECT_NE(out_.find("--env-file: env file nope.env does not exist"), std::string::npos) << out_;
  EXPECT_FALSE(fs::exists(dir_ / "d" / "models"));
}

TEST_F(EnvFileCli, AMalformedDefaultDotEnvIsAnErrorNamingItsLine) {
  Write(".env", "GOOD=1\nDATABASE_URL postgresql://u:secret@h/db\n");
  EXPECT_EQ(Run("", "serve --data-dir d"), 1);
  EXPECT_NE(out_.find(".env: line 2: expected '=' after the name 'DATABASE_URL'"),
            std::string::npos)
      << out_;
  EXPECT_EQ(out_.find("secret"), std::string::npos) << out_;
}

TEST_F(EnvFileCli, TheReferencesDotEnvExpandsOutsideCompose) {
  // IDSIA/MLprod's documented .env (docs/source/components/docker.rst), with the host name
  // and the embedded queue given by the environment, which wins over the file.
  Write("reference.env",
        "CELERY_BROKER_URL=pyamqp://rabbitmq/\nCELERY_BACKEND_URL=redis://redis/\n"
        "CELERY_QUEUE=\n\nDATABASE_SCHEMA=mlpdb\nDATABASE_USER=mlp\nDATABASE_PASS=mlp\n"
        "DATABASE_HOST=database\n\n"
        "DATABASE_URL=postgresql://${DATABASE_USER}:${DATABASE_PASS}@${DATABASE_HOST}/"
        "${DATABASE_SCHEMA}\n");
  const int code = Run("DATABASE_HOST=db.invalid CELERY_BROKER_URL= CELERY_BACKEND_URL=",
                       "serve --data-dir d --env-file reference.env --startup-timeout 0");
  EXPECT_EQ(code, 1) << out_;  // nothing answers at db.invalid
  EXPECT_NE(out_.find("read reference.env"), std::string::npos) << out_;
  EXPECT_NE(out_.find("store postgresql://mlp:***@db.invalid/mlpdb, broker in-process"),
            std::string::npos)
      << out_;
  EXPECT_EQ(out_.find("${"), std::string::npos) << out_;
}

}  // namespace
