#include "gateway/signature.h"

#include <gtest/gtest.h>

namespace renkei::gateway {
namespace {

TEST(SignatureTest, AWebhookVerifiesWithItsSecretOnlyAndWithinTheTolerance) {
  const std::string body = R"({"idempotency_key":"1310000001:7:S1"})";
  const std::string header = SignWebhook("whsec_test", 1'800'000'000, body);
  // HMAC-SHA256("whsec_test", "1800000000.<body>"), as any HMAC library computes it.
  EXPECT_TRUE(header.starts_with("t=1800000000,v1=")) << header;
  EXPECT_EQ(header.size(), std::string("t=1800000000,v1=").size() + 64);
  EXPECT_TRUE(VerifyWebhook("whsec_test", header, body, 1'800'000'100).ok());
  // Rotating secrets: a header may carry several signatures; one match is enough.
  EXPECT_TRUE(VerifyWebhook("whsec_test", header + ",v1=" + std::string(64, '0'), body, 1'800'000'000).ok());

  const auto refused = [&](std::string_view secret, std::string_view h, std::string_view b, int64_t now, std::string_view why) {
    Status s = VerifyWebhook(secret, h, b, now);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << h;
    EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
  };
  refused("whsec_other", header, body, 1'800'000'000, "does not match");
  refused("whsec_test", header, body + " ", 1'800'000'000, "does not match");
  refused("whsec_test", header, body, 1'800'000'301, "more than 300 s");
  refused("whsec_test", header, body, 1'799'999'699, "more than 300 s");
  refused("whsec_test", "v1=abc,t=1800000000", body, 1'800'000'000, "does not match");  // t must come first
  refused("whsec_test", "t=1800000000", body, 1'800'000'000, "no v1 signature");
  refused("whsec_test", "t=-5,v1=00", body, 1'800'000'000, "not a Unix time");
  refused("whsec_test", "t=18x,v1=00", body, 1'800'000'000, "not a Unix time");
  refused("whsec_test", "garbage", body, 1'800'000'000, "malformed");
  refused("whsec_test", "", body, 1'800'000'000, "malformed");
  refused("whsec_test", std::string(2000, 'v'), body, 1'800'000'000, "too long");
}

TEST(SignatureTest, SecretsAreRandomAndPrefixed) {
  auto a = RandomSecret("whsec_"), b = RandomSecret("whsec_");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 6u + 64u);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace renkei::gateway
