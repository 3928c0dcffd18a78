#include "identity/totp.h"

#include <gtest/gtest.h>

#include <set>

namespace renkei::identity {
namespace {

// The SHA-1 key of RFC 6238 Appendix B and RFC 4226 Appendix D.
constexpr std::string_view kRfcSecret = "12345678901234567890";

TEST(TotpTest, Rfc6238AppendixBSha1Vectors) {
  const std::pair<int64_t, std::string_view> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [seconds, code] : vectors) {
    EXPECT_EQ(HotpCode(kRfcSecret, static_cast<uint64_t>(TotpStep(seconds * 1000)), 8), code) << "T=" << seconds;
  }
}

TEST(TotpTest, Rfc4226AppendixDHotpVectors) {
  const std::string_view codes[] = {"755224", "287082", "359152", "969429", "338314",
                                    "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(HotpCode(kRfcSecret, counter, 6), codes[counter]) << "counter " << counter;
  }
}

TEST(TotpTest, StepsAreWholeThirtySeconds) {
  EXPECT_EQ(TotpStep(0), 0);
  EXPECT_EQ(TotpStep(29'999), 0);
  EXPECT_EQ(TotpStep(30'000), 1);
  EXPECT_EQ(TotpStep(59'000), 1);
}

TEST(TotpTest, Base32IsRfc4648WithoutPadding) {
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(Base32Encode("fo"), "MZXQ");
  EXPECT_EQ(Base32Encode("foo"), "MZXW6");
  EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode(std::string("\xff\x00", 2)), "74AA");
}

TEST(TotpTest, Base32DecodesWhatItEncodesAndRefusesTheRest) {
  for (const std::string bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "12345678901234567890"}) {
    auto decoded = Base32Decode(Base32Encode(bytes));
    ASSERT_TRUE(decoded.ok()) << bytes;
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(*Base32Decode("mzxw 6ytb oi======"), "foobar");  // typed by hand
  EXPECT_EQ(Base32Decode("MZXW1").status().message(), "not base32: character 5 (byte 0x31)");
  EXPECT_EQ(Base32Decode(std::string("MZ\0W", 4)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Base32Decode("MZ").status().code(), StatusCode::kInvalidArgument);  // "f" is MY: bits left over
}

TEST(TotpTest, UriEnrolsAnAuthenticatorApp) {
  EXPECT_EQ(TotpUri("sato.hanako", kRfcSecret),
            "otpauth://totp/Renkei:sato.hanako?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Renkei"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_TRUE(TotpUri("a b:c/d?&", kRfcSecret).starts_with("otpauth://totp/Renkei:a%20b%3Ac%2Fd%3F%26?secret="));
}

TEST(TotpTest, SecretsAreFreshAndLongEnough) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const StatusOr<std::string> secret = NewTotpSecret();
    ASSERT_TRUE(secret.ok());
    EXPECT_EQ(secret->size(), 20u);
    seen.insert(*secret);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(TotpTest, AcceptsOneStepEitherSideAndNeverAStepTwice) {
  const int64_t now_ms = 1'800'000'015'000;  // in the middle of a step
  const int64_t now = TotpStep(now_ms);
  const auto code = [&](int64_t step) { return HotpCode(kRfcSecret, static_cast<uint64_t>(step), 6); };
  const auto check = [&](std::string_view c, int64_t last_used) { return CheckTotp(kRfcSecret, c, now_ms, last_used); };
  for (int64_t step : {now - 1, now, now + 1}) {
    const TotpCheck accepted = check(code(step), 0);
    EXPECT_EQ(accepted.result, TotpCheck::Result::kAccepted) << step - now;
    EXPECT_EQ(accepted.step, step);
  }
  EXPECT_EQ(check(code(now - 2), 0).result, TotpCheck::Result::kWrong);
  EXPECT_EQ(check(code(now + 2), 0).result, TotpCheck::Result::kWrong);

  // Once the code of `now` was used, it and older ones are replays; the next step's is not.
  EXPECT_EQ(check(code(now), now).result, TotpCheck::Result::kReplayed);
  EXPECT_EQ(check(code(now - 1), now).result, TotpCheck::Result::kReplayed);
  EXPECT_EQ(check(code(now + 1), now).result, TotpCheck::Result::kAccepted);

  EXPECT_EQ(check("", 0).result, TotpCheck::Result::kWrong);
  EXPECT_EQ(check(code(now).substr(0, 5), 0).result, TotpCheck::Result::kWrong);
  EXPECT_EQ(check(code(now) + "0", 0).result, TotpCheck::Result::kWrong);
  EXPECT_EQ(check("abcdef", 0).result, TotpCheck::Result::kWrong);
  EXPECT_EQ(CheckTotp("another secret", code(now), now_ms, 0).result, TotpCheck::Result::kWrong);
}

}  // namespace
}  // namespace renkei::identity
