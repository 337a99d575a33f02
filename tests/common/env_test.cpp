#include "common/env.h"

#include <gtest/gtest.h>

namespace mlprod {
namespace {

TEST(DotEnv, ParsesKeysCommentsQuotesAndExport) {
  auto parsed = Environment::ParseDotEnv(
      "# comment\nCELERY_BROKER_URL=pyamqp://rabbitmq/      # amqp\n"
      "export DATABASE_URL=\"postgresql://mlp:mlp@database/mlpdb\"\nCELERY_QUEUE=\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->at("CELERY_BROKER_URL"), "pyamqp://rabbitmq/");
  EXPECT_EQ(parsed->at("DATABASE_URL"), "postgresql://mlp:mlp@database/mlpdb");
  EXPECT_EQ(parsed->at("CELERY_QUEUE"), "");
}

TEST(DotEnv, RejectsLineWithoutEquals) {
  auto parsed = Environment::ParseDotEnv("GOOD=1\nBROKEN\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("line 2"), std::string::npos);
}

TEST(Environment, EmptyValueFallsBackInGetOr) {
  auto env = Environment::FromMap({{"CELERY_QUEUE", ""}, {"X", "y"}});
  EXPECT_EQ(env.GetOr("CELERY_QUEUE", "celery"), "celery");
  EXPECT_EQ(env.GetOr("X", "z"), "y");
  EXPECT_FALSE(env.Get("MISSING").has_value());
}

}  // namespace
}  // namespace mlprod
