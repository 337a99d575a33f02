// Environment: the reference's own .env text, the environment's precedence over the file, and
// loading a file (optional by default, required when named).
#include "common/env.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mlprod {
namespace {

// The .env the reference project documents (IDSIA/MLprod, docs/source/components/docker.rst,
// "Environment variable"), line for line: the config fixture of the format we must accept.
constexpr const char* kReferenceDotEnv =
    "DOMAIN=<domain of the machine (used only for traefik labels)>\n"
    "\n"
    "CELERY_BROKER_URL=pyamqp://rabbitmq/\n"
    "CELERY_BACKEND_URL=redis://redis/\n"
    "CELERY_QUEUE=\n"
    "\n"
    "DATABASE_SCHEMA=mlpdb\n"
    "DATABASE_USER=mlp\n"
    "DATABASE_PASS=mlp\n"
    "DATABASE_HOST=database\n"
    "\n"
    "DATABASE_URL=postgresql://${DATABASE_USER}:${DATABASE_PASS}@${DATABASE_HOST}/"
    "${DATABASE_SCHEMA}\n"
    "\n"
    "GRAFANA_ADMIN_PASS=grafana\n";

TEST(Environment, TheReferenceDotEnvResolvesEveryVariableItsServicesRead) {
  auto env = Environment::FromText(kReferenceDotEnv, {});
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_TRUE(env->warnings().empty());
  // api and worker (docker-compose.yaml's environment: lists), then database and grafana.
  EXPECT_EQ(env->Get("DATABASE_URL"), "postgresql://mlp:mlp@database/mlpdb");
  EXPECT_EQ(env->Get("CELERY_BROKER_URL"), "pyamqp://rabbitmq/");
  EXPECT_EQ(env->Get("CELERY_BACKEND_URL"), "redis://redis/");
  EXPECT_EQ(env->Get("CELERY_QUEUE"), "");
  EXPECT_EQ(env->GetOr("CELERY_QUEUE", "celery"), "celery");
  EXPECT_EQ(env->Get("DATABASE_USER"), "mlp");
  EXPECT_EQ(env->Get("DATABASE_PASS"), "mlp");
  EXPECT_EQ(env->Get("DATABASE_SCHEMA"), "mlpdb");
  EXPECT_EQ(env->Get("GRAFANA_ADMIN_PASS"), "grafana");
  EXPECT_EQ(env->Get("DOMAIN"), "<domain of the machine (used only for traefik labels)>");
}

TEST(Environment, ProcessEnvironmentWinsForTheVariableAndInsideTheFile) {
  // Outside compose: the database is on this host, the rest as the file says.
  auto env = Environment::FromText(kReferenceDotEnv,
                                   {{"DATABASE_HOST", "127.0.0.1"}, {"CELERY_QUEUE", "mlp"}});
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_EQ(env->Get("DATABASE_HOST"), "127.0.0.1");
  EXPECT_EQ(env->Get("DATABASE_URL"), "postgresql://mlp:mlp@127.0.0.1/mlpdb");
  EXPECT_EQ(env->Get("CELERY_QUEUE"), "mlp");

  auto whole = Environment::FromText(kReferenceDotEnv, {{"DATABASE_URL", "sqlite:///x.db"}});
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->Get("DATABASE_URL"), "sqlite:///x.db");
}

TEST(Environment, EmptyValueFallsBackInGetOr) {
  auto env = Environment::FromMap({{"CELERY_QUEUE", ""}, {"X", "y"}});
  EXPECT_EQ(env.GetOr("CELERY_QUEUE", "celery"), "celery");
  EXPECT_EQ(env.GetOr("X", "z"), "y");
  EXPECT_FALSE(env.Get("MISSING").has_value());
}

class EnvironmentFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mlprod-env-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::filesystem::path dir_;
};

TEST_F(EnvironmentFile, DefaultFileIsOptionalANamedOneIsRequired) {
  auto optional = Environment::Load(dir_ / ".env", false);
  ASSERT_TRUE(optional.ok()) << optional.error().message;
  EXPECT_TRUE(optional->file().empty());

  auto required = Environment::Load(dir_ / "missing.env", true);
  ASSERT_FALSE(required.ok());
  EXPECT_EQ(required.error().code, ErrorCode::kNotFound);
  EXPECT_NE(required.error().message.find("missing.env does not exist"), std::string::npos);

  auto directory = Environment::Load(dir_, true);
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("is a directory"), std::string::npos);
}

TEST_F(EnvironmentFile, LoadExpandsAgainstTheProcessEnvironment) {
  ::setenv("MLPROD_ENV_TEST_HOST", "10.0.0.7", 1);
  const auto path = Write("deploy.env",
                          "MLPROD_ENV_TEST_HOST=database\n"
                          "MLPROD_ENV_TEST_URL=postgresql://u@${MLPROD_ENV_TEST_HOST}/db\n"
                          "MLPROD_ENV_TEST_REF=$MLPROD_ENV_TEST_UNSET\n");
  auto env = Environment::Load(path, true);
  ::unsetenv("MLPROD_ENV_TEST_HOST");
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_EQ(env->file(), path);
  EXPECT_EQ(env->Get("MLPROD_ENV_TEST_URL"), "postgresql://u@10.0.0.7/db");
  ASSERT_EQ(env->warnings().size(), 1u);
  EXPECT_NE(env->warnings()[0].find(path.string() + ": line 3: MLPROD_ENV_TEST_UNSET"),
            std::string::npos)
      << env->warnings()[0];
}

TEST_F(EnvironmentFile, MalformedFileNamesPathAndLine) {
  auto env = Environment::Load(Write("bad.env", "GOOD=1\nBROKEN LINE\n"), false);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.error().message.find("bad.env: line 2: expected '='"), std::string::npos)
      << env.error().message;
}

}  // namespace
}  // namespace mlprod
