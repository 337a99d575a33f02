#include "queue/celery_result.h"

#include <gtest/gtest.h>

#include "queue/vectors.h"

namespace mlprod::queue {
namespace {

using nlohmann::json;
using testing::LoadVector;

TEST(CeleryResult, DecodesCapturedSuccess) {
  const json v = LoadVector("result-success.json");
  auto r = DecodeTaskResult(v["value"]);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, TaskState::kSuccess);
  EXPECT_EQ(r->task_id, "ee223f7f-8e53-4253-ad91-a21d6343bdab");
  EXPECT_TRUE(r->result.is_null());
  EXPECT_EQ(r->traceback, "");
  EXPECT_EQ(r->date_done, "2026-11-28T01:22:38.816941");
  EXPECT_EQ(ResultKey(r->task_id), v["key"]);
}

TEST(CeleryResult, DecodesCapturedFailureWithExceptionFields) {
  const json v = LoadVector("result-failure.json");
  auto r = DecodeTaskResult(v["value"]);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, TaskState::kFailure);
  EXPECT_EQ(r->result["exc_type"], "AttributeError");
  EXPECT_EQ(r->result["exc_message"][0], "'NoneType' object has no attribute '__dict__'");
  EXPECT_EQ(r->result["exc_module"], "builtins");
  EXPECT_NE(r->traceback.find("Traceback (most recent call last)"), std::string::npos);
}

TEST(CeleryResult, EncodesTheCapturedValuesExactly) {
  for (const char* name : {"result-success.json", "result-failure.json"}) {
    const json v = LoadVector(name);
    auto r = DecodeTaskResult(v["value"]);
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_EQ(EncodeTaskResult(*r), v["value"]) << name;
    auto again = DecodeTaskResultText(EncodeTaskResultText(*r));
    ASSERT_TRUE(again.ok()) << name;
    EXPECT_EQ(EncodeTaskResult(*again), v["value"]) << name;
  }
}

TEST(CeleryResult, BuildsFailureInCeleryShape) {
  const json want = LoadVector("result-failure.json")["value"]["result"];
  EXPECT_EQ(FailureResult("AttributeError", "'NoneType' object has no attribute '__dict__'"), want);
  EXPECT_EQ(RevokedResult("expired")["exc_type"], "TaskRevokedError");
  EXPECT_EQ(RevokedResult("expired")["exc_module"], "celery.exceptions");
}

TEST(CeleryResult, RejectsMalformedValues) {
  EXPECT_FALSE(DecodeTaskResultText("{").ok());
  EXPECT_FALSE(DecodeTaskResultText("[]").ok());
  EXPECT_FALSE(DecodeTaskResultText(R"({"status":"DONE","task_id":"a"})").ok());
  EXPECT_FALSE(DecodeTaskResultText(R"({"status":"SUCCESS"})").ok());
  EXPECT_FALSE(DecodeTaskResultText(R"({"status":"SUCCESS","task_id":"a","traceback":1})").ok());
  EXPECT_FALSE(DecodeTaskResultText(R"({"status":"FAILURE","task_id":"a","result":{}})").ok());
  auto r = DecodeTaskResultText(R"({"status":"STARTED","task_id":"a"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, TaskState::kStarted);
}

}  // namespace
}  // namespace mlprod::queue
