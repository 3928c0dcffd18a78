#include "text/base64.h"

#include <gtest/gtest.h>

namespace renkei::text {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesWhatItEncodesIncludingEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += char(i);
  for (size_t n : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
    auto back = Base64Decode(Base64Encode(all.substr(0, n)));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, all.substr(0, n));
  }
}

TEST(Base64Test, RefusesMalformedTextWithTheOffset) {
  EXPECT_EQ(Base64Decode("Zm9").status().message(), "base64: 3 characters, not a multiple of 4");
  EXPECT_EQ(Base64Decode("Zm9v!mFy").status().message(), "base64: unexpected character at offset 4");
  EXPECT_EQ(Base64Decode("Zm 9").status().message(), "base64: unexpected character at offset 2");
  EXPECT_EQ(Base64Decode("Zg==Zm9v").status().message(), "base64: unexpected character at offset 2")
      << "padding only at the very end";
  EXPECT_EQ(Base64Decode("Zh==").status().message(), "base64: non-zero bits before the padding at offset 1");
  EXPECT_EQ(Base64Decode("Zm9=").status().message(), "base64: non-zero bits before the padding at offset 2");
  EXPECT_EQ(Base64Decode("====").status().message(), "base64: unexpected character at offset 0");
}

}  // namespace
}  // namespace renkei::text
