#include "common/resolve.h"

#include <gtest/gtest.h>

#include <thread>

namespace mlprod {
namespace {

TEST(ResolveTcpHostTest, NumericHostsComeBackAsTheyAre) {
  auto v4 = ResolveTcpHost("127.0.0.1", 6379);
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(*v4, std::vector<std::string>{"127.0.0.1"});
  auto v6 = ResolveTcpHost("::1", 6379);
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(*v6, std::vector<std::string>{"::1"});
}

TEST(ResolveTcpHostTest, NamesResolveToNumericAddresses) {
  auto local = ResolveTcpHost("localhost", 5672);
  ASSERT_TRUE(local.ok()) << local.error().message;
  ASSERT_FALSE(local->empty());
  for (const std::string& a : *local) {
    EXPECT_TRUE(a == "127.0.0.1" || a == "::1") << a;
  }
}

TEST(ResolveTcpHostTest, AnUnknownNameIsUnavailableAndNamed) {
  // .invalid never resolves (RFC 6761).
  auto none = ResolveTcpHost("no-such-host.invalid", 6379);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(none.error().message.find("no-such-host.invalid"), std::string::npos);
}

TEST(RememberedAddressTest, ForgetsOnlyTheAddressItWasToldAbout) {
  RememberedAddress a;
  EXPECT_EQ(a.Get(), "");
  a.Remember("10.0.0.1");
  EXPECT_EQ(a.Get(), "10.0.0.1");
  a.Forget("10.0.0.2");  // another thread already moved on from an older address
  EXPECT_EQ(a.Get(), "10.0.0.1");
  a.Forget("10.0.0.1");
  EXPECT_EQ(a.Get(), "");
}

TEST(RememberedAddressTest, IsSafeToShareBetweenThreads) {
  RememberedAddress a;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&a, t] {
      const std::string mine = "10.0.0." + std::to_string(t);
      for (int i = 0; i < 1000; ++i) {
        a.Remember(mine);
        const std::string seen = a.Get();
        EXPECT_TRUE(seen.empty() || seen.rfind("10.0.0.", 0) == 0) << seen;
        a.Forget(mine);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(a.Get(), "");
}

}  // namespace
}  // namespace mlprod
