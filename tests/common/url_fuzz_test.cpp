// Property tests of the URL parser: random input never crashes it and whatever it accepts is
// well-formed; URLs generated from random parts parse back to those parts.
#include <gtest/gtest.h>

#include <random>

#include "common/url.h"

namespace mlprod {
namespace {

std::string RandomBytes(std::mt19937& rng, std::string_view alphabet, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s(len(rng), '\0');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

std::string AllBytes() {
  std::string s;
  for (int c = 1; c < 256; ++c) s += static_cast<char>(c);
  return s;
}

void ExpectWellFormed(const Url& u, std::string_view input) {
  EXPECT_FALSE(u.scheme.empty()) << input;
  if (u.port) {
    EXPECT_GE(*u.port, 1) << input;
    EXPECT_LE(*u.port, 65535) << input;
  }
  EXPECT_EQ(u.host.find('\0'), std::string::npos) << input;
  EXPECT_TRUE(u.path.empty() || u.path.front() == '/') << input;
  // Accepted input is stable: formatting and parsing again gives the same parts.
  auto again = ParseUrl(FormatUrl(u));
  ASSERT_TRUE(again.ok()) << input << " -> " << FormatUrl(u) << ": " << again.error().message;
  EXPECT_EQ(again->user, u.user) << input;
  EXPECT_EQ(again->password, u.password) << input;
  EXPECT_EQ(again->host, u.host) << input;
  EXPECT_EQ(again->port, u.port) << input;
  EXPECT_EQ(again->path, u.path) << input;
  EXPECT_EQ(again->query, u.query) << input;
}

TEST(UrlFuzz, RandomBytesNeverCrashAndAcceptedInputIsWellFormed) {
  std::mt19937 rng(20261202);
  const std::string url_chars = "amqpredis:/@[]%?&=#.+-_~0123456789abcdefABCDEF:::///@@%%";
  const std::string all = AllBytes();
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input = i % 2 == 0 ? RandomBytes(rng, url_chars, 40) : RandomBytes(rng, all, 40);
    if (i % 3 == 0) input = "amqp://" + input;
    auto u = ParseUrl(input);
    if (u.ok()) {
      ++accepted;
      ExpectWellFormed(*u, input);
    } else {
      EXPECT_EQ(u.error().code, ErrorCode::kInvalidArgument);
      EXPECT_FALSE(u.error().message.empty());
    }
  }
  // The alphabet is chosen so that both outcomes are exercised.
  EXPECT_GT(accepted, 500);
}

TEST(UrlFuzz, GeneratedUrlsParseBackToTheirParts) {
  std::mt19937 rng(7);
  std::string any_but_nul = AllBytes();
  const std::string host_chars = "abcdefghijklmnopqrstuvwxyz0123456789.-";
  const std::string path_chars = "abcXYZ019-._~!$&'()*+,;=:@/";
  std::uniform_int_distribution<int> coin(0, 1), port(1, 65535), v6(0, 3);
  const char* v6_hosts[] = {"::1", "2001:db8::1", "fe80::a:b:c:d", "::ffff:10.0.0.1"};
  for (int i = 0; i < 5000; ++i) {
    Url want;
    want.scheme = coin(rng) ? "amqp" : "redis";
    if (coin(rng)) {
      want.user = RandomBytes(rng, any_but_nul, 12);
      if (coin(rng)) want.password = RandomBytes(rng, any_but_nul, 16);
    }
    if (coin(rng)) {
      want.host = v6_hosts[v6(rng)];
      want.ipv6 = true;
    } else {
      want.host = RandomBytes(rng, host_chars, 20);
    }
    if (coin(rng)) want.port = port(rng);
    if (coin(rng)) want.path = "/" + RandomBytes(rng, path_chars, 20);
    if (coin(rng)) {
      const int n = 1 + coin(rng) + coin(rng);
      for (int k = 0; k < n; ++k) {
        want.query.emplace_back("k" + RandomBytes(rng, any_but_nul, 5),
                                RandomBytes(rng, any_but_nul, 8));
      }
    }
    const std::string text = FormatUrl(want);
    auto got = ParseUrl(text);
    ASSERT_TRUE(got.ok()) << text << ": " << got.error().message;
    EXPECT_EQ(got->scheme, want.scheme) << text;
    EXPECT_EQ(got->user, want.user) << text;
    EXPECT_EQ(got->password, want.password) << text;
    EXPECT_EQ(got->host, want.host) << text;
    EXPECT_EQ(got->ipv6, want.ipv6) << text;
    EXPECT_EQ(got->port, want.port) << text;
    EXPECT_EQ(got->path, want.path) << text;
    EXPECT_EQ(got->query, want.query) << text;
  }
}

}  // namespace
}  // namespace mlprod
