// The HTTP policy's pure decisions: request framing, Host and Origin lists, JSON media types,
// the connection-cap default and the log throttle.
#include "api/http_policy.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

namespace mlprod::api {
namespace {

namespace http = boost::beast::http;

Framing FramingOf(std::initializer_list<std::pair<http::field, const char*>> headers) {
  http::fields f;
  for (const auto& [name, value] : headers) f.insert(name, value);
  return JudgeFraming(f);
}

TEST(JudgeFraming, OnlyASingleFinalChunkedWithoutContentLengthIsAccepted) {
  using F = http::field;
  EXPECT_EQ(FramingOf({}), Framing::kPlain);
  EXPECT_EQ(FramingOf({{F::content_length, "5"}}), Framing::kPlain);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, "chunked"}}), Framing::kChunked);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, " Chunked "}}), Framing::kChunked);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, "xchunked"}}), Framing::kBad);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, "chunked, identity"}}), Framing::kBad);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, "chunked"}, {F::transfer_encoding, "identity"}}),
            Framing::kBad);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, "chunked, chunked"}}), Framing::kBad);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, ""}}), Framing::kBad);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, "chunked"}, {F::content_length, "3"}}),
            Framing::kBad);
  EXPECT_EQ(FramingOf({{F::transfer_encoding, "gzip, chunked"}}), Framing::kUnsupported);
}

TEST(HostPolicy, LoopbackBindAcceptsOnlyLoopbackNamesOnAnyPort) {
  for (const char* bind : {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) {
    const HostPolicy p = MakeHostPolicy("", bind);
    EXPECT_FALSE(p.any) << bind;
    EXPECT_TRUE(HostAllowed(p, "localhost:4789")) << bind;
    EXPECT_TRUE(HostAllowed(p, "LOCALHOST")) << bind;
    EXPECT_TRUE(HostAllowed(p, "127.0.0.1:1")) << bind;
    EXPECT_TRUE(HostAllowed(p, "[::1]:4789")) << bind;
    EXPECT_FALSE(HostAllowed(p, "attacker.example")) << bind;
    EXPECT_FALSE(HostAllowed(p, "localhost.attacker.example:4789")) << bind;
    EXPECT_FALSE(HostAllowed(p, "")) << bind;
  }
  EXPECT_TRUE(HostAllowed(MakeHostPolicy("", "0.0.0.0"), "attacker.example"));
  EXPECT_TRUE(HostAllowed(MakeHostPolicy("", "10.1.2.3"), ""));
}

TEST(HostPolicy, AnExplicitListReplacesTheDefault) {
  const HostPolicy p = MakeHostPolicy(" api.example, ::1 ,10.0.0.5:80", "0.0.0.0");
  EXPECT_TRUE(HostAllowed(p, "API.example:4789"));
  EXPECT_TRUE(HostAllowed(p, "[::1]"));
  EXPECT_TRUE(HostAllowed(p, "10.0.0.5"));
  EXPECT_FALSE(HostAllowed(p, "localhost"));
  EXPECT_FALSE(HostAllowed(p, "other.example"));
  EXPECT_TRUE(HostAllowed(MakeHostPolicy("*", "127.0.0.1"), "anything.example"));
  EXPECT_EQ(HostName("[::1]:80"), "[::1]");
  EXPECT_EQ(HostName("Example.com:8"), "Example.com");
}

TEST(OriginPolicy, SameOriginOrListedOnly) {
  const OriginPolicy none = MakeOriginPolicy("");
  EXPECT_FALSE(none.cors());
  EXPECT_TRUE(OriginAllowed(none, "http://127.0.0.1:4789", "127.0.0.1:4789"));
  EXPECT_TRUE(OriginAllowed(none, "https://LocalHost:8", "localhost:8"));
  EXPECT_FALSE(OriginAllowed(none, "http://evil.example", "127.0.0.1:4789"));
  EXPECT_FALSE(OriginAllowed(none, "http://127.0.0.1:4790", "127.0.0.1:4789"));
  EXPECT_FALSE(OriginAllowed(none, "null", "127.0.0.1:4789"));
  EXPECT_FALSE(OriginAllowed(none, "http://127.0.0.1", ""));

  const OriginPolicy listed = MakeOriginPolicy("https://app.example/, http://localhost:3000");
  EXPECT_TRUE(listed.cors());
  EXPECT_TRUE(ListedOrigin(listed, "https://App.Example"));
  EXPECT_TRUE(OriginAllowed(listed, "http://localhost:3000", "127.0.0.1:4789"));
  EXPECT_FALSE(ListedOrigin(listed, "https://app.example.evil"));
  EXPECT_TRUE(ListedOrigin(MakeOriginPolicy("*"), "http://anyone.example"));
}

TEST(JsonMediaType, JsonWithParametersButNotFormsOrNothing) {
  EXPECT_TRUE(IsJsonMediaType("application/json"));
  EXPECT_TRUE(IsJsonMediaType("Application/JSON ; charset=utf-8"));
  EXPECT_TRUE(IsJsonMediaType("application/vnd.api+json"));
  EXPECT_FALSE(IsJsonMediaType(""));
  EXPECT_FALSE(IsJsonMediaType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(IsJsonMediaType("multipart/form-data; boundary=x"));
  EXPECT_FALSE(IsJsonMediaType("text/plain"));
  EXPECT_FALSE(IsJsonMediaType("text/json+json"));
  EXPECT_TRUE(IsStateChanging(Verb::post));
  EXPECT_TRUE(IsStateChanging(Verb::delete_));
  EXPECT_FALSE(IsStateChanging(Verb::get));
  EXPECT_FALSE(IsStateChanging(Verb::head));
}

TEST(ConnectionCap, DefaultLeavesRoomBelowTheFdLimit) {
  EXPECT_EQ(DefaultMaxConnections(1024), 896u);
  EXPECT_EQ(DefaultMaxConnections(1u << 20), 10000u);
  EXPECT_EQ(DefaultMaxConnections(64), 32u);
  EXPECT_EQ(DefaultMaxConnections(0), 1000u);
  EXPECT_GE(RaiseOpenFileLimit(), 64u);
}

TEST(LogThrottle, OneLinePerIntervalWithTheCountOfSwallowedOnes) {
  LogThrottle t(std::chrono::milliseconds(1000));
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(t.Allow(t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  int allowed = 0;
  for (int ms = 1; ms < 1000; ms += 10)
    allowed += t.Allow(t0 + std::chrono::milliseconds(ms), &suppressed);
  EXPECT_EQ(allowed, 0);
  EXPECT_TRUE(t.Allow(t0 + std::chrono::milliseconds(1000), &suppressed));
  EXPECT_EQ(suppressed, 100u);
  EXPECT_FALSE(t.Allow(t0 + std::chrono::milliseconds(1500), &suppressed));
}

}  // namespace
}  // namespace mlprod::api
