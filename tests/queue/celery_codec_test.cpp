#include "queue/celery_codec.h"

#include <gtest/gtest.h>

#include "queue/celery_time.h"
#include "queue/vectors.h"

namespace mlprod::queue {
namespace {

using nlohmann::json;
using testing::LoadVector;

Result<TaskMessage> DecodeVector(const json& v) {
  return DecodeTaskMessage(v["headers"], v["body"].dump(),
                           v["properties"]["content_type"].get<std::string>());
}

TEST(CeleryCodec, DecodesCapturedInferenceMessage) {
  const json v = LoadVector("message-inference.json");
  auto m = DecodeVector(v);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->task, kInferenceTask);
  EXPECT_EQ(m->id, "7548290e-0844-49f5-aaa9-0190f9eab9dc");
  EXPECT_EQ(m->root_id, m->id);
  EXPECT_EQ(m->args, json::array({42}));
  EXPECT_EQ(m->kwargs, json::object());
  EXPECT_EQ(m->retries, 0);
  EXPECT_FALSE(m->eta.has_value());
  EXPECT_FALSE(m->expires.has_value());
  EXPECT_FALSE(m->time_limit_hard.has_value());
  EXPECT_FALSE(m->time_limit_soft.has_value());
  EXPECT_FALSE(m->parent_id.has_value());
  EXPECT_FALSE(m->group.has_value());
  EXPECT_EQ(m->origin, "gen8038@vm");
}

TEST(CeleryCodec, ReadsHardTimeLimitFirst) {
  auto m = DecodeVector(LoadVector("message-training-eta-expires-timelimit.json"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->task, kTrainingTask);
  ASSERT_TRUE(m->time_limit_hard && m->time_limit_soft);
  EXPECT_EQ(*m->time_limit_hard, 300);
  EXPECT_EQ(*m->time_limit_soft, 240);
}

TEST(CeleryCodec, KeepsEtaAndExpiresWithOffset) {
  auto m = DecodeVector(LoadVector("message-training-eta-expires-timelimit.json"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->eta, "2026-11-28T01:22:33.935992+00:00");
  EXPECT_EQ(m->expires, "2026-11-28T01:32:28.935992+00:00");
  EXPECT_EQ(m->args, json::array());
}

// Our encoding of the captured tasks must equal Celery's headers, properties and body, except
// for fields that identify the sender (origin) or the Celery app (reply_to).
void ExpectEncodesLike(const json& v, std::chrono::system_clock::time_point now) {
  auto decoded = DecodeVector(v);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const CeleryEnvelope env = EncodeTaskMessage(*decoded, now);

  json want_headers = v["headers"];
  ASSERT_EQ(env.headers.size(), want_headers.size()) << env.headers.dump();
  for (const auto& [key, want] : want_headers.items()) {
    ASSERT_TRUE(env.headers.contains(key)) << "missing header " << key;
    EXPECT_EQ(env.headers[key], want) << "header " << key;
  }
  EXPECT_EQ(json::parse(env.body), v["body"]);

  const json& p = v["properties"];
  EXPECT_EQ(env.properties.content_type, p["content_type"]);
  EXPECT_EQ(env.properties.content_encoding, p["content_encoding"]);
  EXPECT_EQ(env.properties.delivery_mode, p["delivery_mode"]);
  EXPECT_EQ(env.properties.priority, p["priority"]);
  EXPECT_EQ(env.properties.correlation_id, p["correlation_id"]);
  if (p.contains("expiration")) {
    ASSERT_TRUE(env.properties.expiration.has_value());
    EXPECT_EQ(*env.properties.expiration, p["expiration"]);
  } else {
    EXPECT_FALSE(env.properties.expiration.has_value());
  }

  // And what we encode decodes to the same task.
  auto again = DecodeTaskMessage(env.headers, env.body, env.properties.content_type);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->id, decoded->id);
  EXPECT_EQ(again->task, decoded->task);
  EXPECT_EQ(again->args, decoded->args);
  EXPECT_EQ(again->eta, decoded->eta);
  EXPECT_EQ(again->expires, decoded->expires);
  EXPECT_EQ(again->time_limit_hard, decoded->time_limit_hard);
  EXPECT_EQ(again->time_limit_soft, decoded->time_limit_soft);
}

TEST(CeleryCodec, EncodesInferenceTaskLikeCelery) {
  ExpectEncodesLike(LoadVector("message-inference.json"), std::chrono::system_clock::now());
}

TEST(CeleryCodec, EncodesExpirationPropertyInMillisecondsLikeCelery) {
  // Celery sent this message 600 s before it expires (expires=600).
  auto expires = ParseIsoTimestamp("2026-11-28T01:32:28.935992+00:00");
  ASSERT_TRUE(expires.ok());
  ExpectEncodesLike(LoadVector("message-training-eta-expires-timelimit.json"),
                    *expires - std::chrono::seconds(600));
}

TEST(CeleryCodec, ExpirationIsNeverNegative) {
  TaskMessage m;
  m.id = "a";
  m.task = "t";
  m.expires = "2020-01-01T00:00:00+00:00";
  EXPECT_EQ(EncodeTaskMessage(m, std::chrono::system_clock::now()).properties.expiration, "0");
}

TEST(CeleryCodec, EncodesFractionalTimeLimitAsNumber) {
  TaskMessage m;
  m.id = "a";
  m.task = "t";
  m.time_limit_soft = 1.5;
  const auto env = EncodeTaskMessage(m, std::chrono::system_clock::now());
  EXPECT_EQ(env.headers["timelimit"], json::parse("[null, 1.5]"));
}

TEST(CeleryCodec, ReprsArgumentsLikePython) {
  EXPECT_EQ(ArgsRepr(json::array()), "()");
  EXPECT_EQ(ArgsRepr(json::parse(R"([1, "a'b", true, null, 2.5, {"k": "v"}])")),
            R"([1, "a'b", True, None, 2.5, {'k': 'v'}])");
  EXPECT_EQ(PythonRepr(json("x\ny")), R"('x\ny')");
}

class CeleryCodecMalformed : public ::testing::Test {
 protected:
  json headers = LoadVector("message-inference.json")["headers"];
  std::string body =
      R"([[42], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}])";

  std::string ErrorOf(const json& h, std::string_view b, std::string_view ct = kCeleryContentType) {
    auto r = DecodeTaskMessage(h, b, ct);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    return r.error().message;
  }
};

TEST_F(CeleryCodecMalformed, RejectsBodyThatIsNotJson) {
  EXPECT_NE(ErrorOf(headers, "[[42], {}").find("not valid JSON"), std::string::npos);
}

TEST_F(CeleryCodecMalformed, RejectsBodyThatIsNotAThreeElementArray) {
  EXPECT_NE(ErrorOf(headers, "[[42], {}]").find("3-element"), std::string::npos);
  EXPECT_NE(ErrorOf(headers, R"({"args": [42]})").find("3-element"), std::string::npos);
}

TEST_F(CeleryCodecMalformed, RejectsArgsAndKwargsOfWrongType) {
  EXPECT_NE(ErrorOf(headers, "[42, {}, {}]").find("args"), std::string::npos);
  EXPECT_NE(ErrorOf(headers, "[[42], [], {}]").find("kwargs"), std::string::npos);
}

TEST_F(CeleryCodecMalformed, RejectsMissingTaskOrId) {
  json h = headers;
  h.erase("task");
  EXPECT_NE(ErrorOf(h, body).find("'task' is missing"), std::string::npos);
  h = headers;
  h["id"] = nullptr;
  EXPECT_NE(ErrorOf(h, body).find("'id' is missing"), std::string::npos);
}

TEST_F(CeleryCodecMalformed, RejectsHeadersOfWrongType) {
  json h = headers;
  h["task"] = 7;
  EXPECT_NE(ErrorOf(h, body).find("'task' is not a string"), std::string::npos);
  h = headers;
  h["retries"] = "0";
  EXPECT_NE(ErrorOf(h, body).find("retries"), std::string::npos);
  h = headers;
  h["timelimit"] = json::array({300});
  EXPECT_NE(ErrorOf(h, body).find("[hard, soft]"), std::string::npos);
  h = headers;
  h["timelimit"] = json::array({"300", nullptr});
  EXPECT_NE(ErrorOf(h, body).find("hard"), std::string::npos);
  h = headers;
  h["eta"] = "tomorrow";
  EXPECT_NE(ErrorOf(h, body).find("'eta'"), std::string::npos);
  EXPECT_NE(ErrorOf(json::array(), body).find("headers"), std::string::npos);
}

TEST_F(CeleryCodecMalformed, RejectsSerializersOtherThanJson) {
  EXPECT_NE(ErrorOf(headers, body, "application/x-python-serialize").find("content_type"),
            std::string::npos);
}

}  // namespace
}  // namespace mlprod::queue
