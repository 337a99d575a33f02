// The Bearer check behind MLPROD_API_KEY and MLPROD_READ_KEY (docs/security.md, "Access model").
#include <gtest/gtest.h>

#include "api/api_service.h"

namespace mlprod::api {
namespace {

TEST(BearerToken, SchemeIsCaseInsensitiveAndTheKeyIsExact) {
  EXPECT_TRUE(BearerTokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("bearer s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("BEARER s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("bEaReR   s3cret ", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer S3CRET", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cret2", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearers3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer ", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("", "s3cret"));
  // No key configured never matches (an empty token included).
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
  EXPECT_FALSE(BearerTokenMatches("", ""));
}

}  // namespace
}  // namespace mlprod::api
