#include "ssmix2/record_key.h"

#include <gtest/gtest.h>

namespace renkei::ssmix2 {
namespace {

TEST(RecordKeyTest, PatientIdsAreLettersDigitsAndHyphens) {
  EXPECT_TRUE(CheckPatientId("9999013").ok());
  EXPECT_TRUE(CheckPatientId("P-0001").ok());
  EXPECT_EQ(CheckPatientId("").code(), StatusCode::kInvalidArgument);
  EXPECT_NE(CheckPatientId("12/34").message().find("'/' at position 3"), std::string::npos);
  EXPECT_NE(CheckPatientId("12_34").message().find("'_'"), std::string::npos);
  EXPECT_NE(CheckPatientId("患者").message().find("byte 0xE6 at position 1"), std::string::npos);
  EXPECT_FALSE(CheckPatientId(std::string(65, '1')).ok());
  EXPECT_TRUE(CheckPatientId(std::string(64, '1')).ok());
}

TEST(RecordKeyTest, OrderNumbersArePaddedToFifteen) {
  EXPECT_EQ(*NormalizeOrderNumber("11000185"), "000000011000185");
  EXPECT_EQ(*NormalizeOrderNumber("000000011000185"), "000000011000185");
  EXPECT_EQ(*NormalizeOrderNumber("A-12"), "00000000000A-12");
  EXPECT_FALSE(NormalizeOrderNumber("1234567890123456").ok());
  EXPECT_FALSE(NormalizeOrderNumber("").ok());
  EXPECT_FALSE(NormalizeOrderNumber("12_3").ok());
}

TEST(RecordKeyTest, DerivedOrderNumbersAreStableFifteenDigits) {
  const std::string a = DerivedOrderNumber("diagnosis|MEDIS|20054174|20240105");
  EXPECT_EQ(a.size(), 15u);
  EXPECT_EQ(a.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_EQ(a, DerivedOrderNumber("diagnosis|MEDIS|20054174|20240105"));
  EXPECT_NE(a, DerivedOrderNumber("diagnosis|MEDIS|20054174|20240106"));
  EXPECT_EQ(DerivedOrderNumber("").size(), 15u);
}

}  // namespace
}  // namespace renkei::ssmix2
