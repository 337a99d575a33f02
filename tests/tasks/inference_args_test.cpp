// The inference task's user_id argument as it arrives from the broker: untrusted JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tasks/inference_task.h"

namespace mlprod::tasks {
namespace {

queue::TaskMessage WithArgs(std::string_view args_json, std::string_view kwargs_json = "{}") {
  queue::TaskMessage m;
  m.id = "7548290e-0844-49f5-aaa9-0190f9eab9dc";
  // Parsed as the Celery codec parses a message body.
  m.args = nlohmann::json::parse(args_json);
  m.kwargs = nlohmann::json::parse(kwargs_json);
  return m;
}

TEST(InferenceArgs, ReadsUserIdFromArgsOrKwargs) {
  EXPECT_EQ(*InferenceUserId(WithArgs("[42]")), 42);
  EXPECT_EQ(*InferenceUserId(WithArgs("[]", R"({"user_id": 7})")), 7);
  EXPECT_EQ(*InferenceUserId(WithArgs("[9223372036854775807]")), INT64_MAX);
}

TEST(InferenceArgs, RejectsUserIdsThatWouldWrapToNegative) {
  for (const char* args : {"[9223372036854775808]", "[18446744073709551615]"}) {
    auto id = InferenceUserId(WithArgs(args));
    ASSERT_FALSE(id.ok()) << args << " became " << *id;
    EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(id.error().message.find("out of range"), std::string::npos) << id.error().message;
  }
  auto kw = InferenceUserId(WithArgs("[]", R"({"user_id": 9223372036854775808})"));
  EXPECT_FALSE(kw.ok());
}

TEST(InferenceArgs, RejectsNonIntegers) {
  for (const char* args : {"[1.5]", "[\"1\"]", "[1, 2]", "[]", "[null]", "[1e30]"}) {
    EXPECT_FALSE(InferenceUserId(WithArgs(args)).ok()) << args;
  }
}

}  // namespace
}  // namespace mlprod::tasks
