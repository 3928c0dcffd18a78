#include "identity/password.h"

#include <gtest/gtest.h>

#include "identity/test_util.h"

namespace renkei::identity {
namespace {

using testing::CheapHashing;

std::string Refusal(std::string_view password) { return CheckPasswordPolicy(password).ToString(); }

TEST(PasswordPolicyTest, CountsCharactersNotBytes) {
  const std::string twelve_kanji = "診療情報共有基盤連携確認";  // 36 bytes
  EXPECT_TRUE(CheckPasswordPolicy(twelve_kanji).ok());
  EXPECT_EQ(Refusal(twelve_kanji.substr(0, 33)),
            "invalid_argument: a password has at least 12 characters; this one has 11");
  EXPECT_EQ(Refusal(""), "invalid_argument: a password has at least 12 characters; this one has 0");
  EXPECT_EQ(Refusal("abcdefghijk"), "invalid_argument: a password has at least 12 characters; this one has 11");
  EXPECT_TRUE(CheckPasswordPolicy("abcdefghijkl").ok());
}

TEST(PasswordPolicyTest, LimitsBytesAndRefusesWhatIsNotText) {
  EXPECT_TRUE(CheckPasswordPolicy(std::string(1023, 'a') + "b").ok());
  EXPECT_EQ(Refusal(std::string(1024, 'a') + "b"),
            "invalid_argument: a password has at most 1024 bytes; this one has 1025");
  // 1023 bytes of two-byte characters and one more byte: the limit is on bytes as given.
  EXPECT_EQ(Refusal(std::string(1025, 'x')), "invalid_argument: a password has at most 1024 bytes; this one has 1025");
  EXPECT_EQ(Refusal(std::string("correct horse\0battery", 21)),
            "invalid_argument: a password may not contain a NUL character");
  EXPECT_EQ(Refusal("correct horse \xff battery"),
            "invalid_argument: a password is UTF-8 text: byte 14: invalid UTF-8: invalid byte 0xFF");
  EXPECT_EQ(Refusal("correct horse \xe8\xa8 battery"),
            "invalid_argument: a password is UTF-8 text: byte 14: invalid UTF-8: missing continuation byte");
}

TEST(PasswordPolicyTest, RefusesOneCharacterRepeated) {
  EXPECT_EQ(Refusal("aaaaaaaaaaaaaaaa"), "invalid_argument: a password may not be one character repeated");
  EXPECT_EQ(Refusal("ああああああああああああ"), "invalid_argument: a password may not be one character repeated");
  EXPECT_TRUE(CheckPasswordPolicy("aaaaaaaaaaab").ok());
  EXPECT_TRUE(CheckPasswordPolicy("baaaaaaaaaaa").ok());
  EXPECT_TRUE(CheckPasswordPolicy("abababababab").ok());
  // Two characters whose UTF-8 starts alike (U+3042, U+3044) are not one repeated.
  EXPECT_TRUE(CheckPasswordPolicy("あいああああああああああ").ok());
}

TEST(PasswordHashTest, VerifiesOnlyTheSamePassword) {
  const std::string hash = Ok(HashPassword("correct horse battery staple", CheapHashing()));
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << hash;
  EXPECT_TRUE(Ok(VerifyPassword("correct horse battery staple", hash)));
  EXPECT_FALSE(Ok(VerifyPassword("correct horse battery stapler", hash)));
  EXPECT_FALSE(Ok(VerifyPassword("Correct horse battery staple", hash)));
  EXPECT_FALSE(Ok(VerifyPassword("", hash)));
  EXPECT_FALSE(Ok(VerifyPassword(std::string(2000, 'a'), hash)));
  EXPECT_FALSE(Ok(VerifyPassword("correct horse \xff battery", hash)));
  // A fresh salt each time.
  EXPECT_NE(Ok(HashPassword("correct horse battery staple", CheapHashing())), hash);
}

TEST(PasswordHashTest, FullWidthAndHalfWidthAreOnePassword) {
  const std::string hash = Ok(HashPassword("ｃｏｒｒｅｃｔ　ｈｏｒｓｅ　ﾊﾞｯﾃﾘｰ", CheapHashing()));
  EXPECT_TRUE(Ok(VerifyPassword("correct horse バッテリー", hash)));
  // Decomposed (バ as ハ + U+3099) and composed kana are one character.
  EXPECT_TRUE(Ok(VerifyPassword("correct horse \xe3\x83\x8f\xe3\x82\x99ッテリー", hash)));
  EXPECT_FALSE(Ok(VerifyPassword("correct horse ばってりー", hash)));
}

TEST(PasswordHashTest, RefusesBadCostsAndBadHashes) {
  EXPECT_EQ(HashPassword("correct horse battery staple", {.memory_kib = 4, .iterations = 1, .parallelism = 1})
                .status()
                .ToString(),
            "invalid_argument: argon2id refuses the costs m=4 KiB, t=1, p=1: Memory cost is too small");
  EXPECT_EQ(HashPassword("short", CheapHashing()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyPassword("correct horse battery staple", "$2b$10$notargon").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(VerifyPassword("correct horse battery staple", "").status().code(), StatusCode::kDataLoss);
}

TEST(PasswordHashTest, DefaultCostsAreWrittenInTheHash) {
  const std::string hash = Ok(HashPassword("correct horse battery staple", PasswordHashing{}));
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << hash;
  EXPECT_TRUE(Ok(VerifyPassword("correct horse battery staple", hash)));
}

}  // namespace
}  // namespace renkei::identity
