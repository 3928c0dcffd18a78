#include "mpi/records_csv.h"

#include <gtest/gtest.h>

#include "mpi/regional_id.h"

namespace renkei::mpi {
namespace {

TEST(RecordsCsvTest, ReadsOurFormatInAnyColumnOrder) {
  auto list = ParseRecordList(
      "record_id, facility ,local_id,family_kanji,given_kanji,family_kana,given_kana,birth_date,sex,postal_code,"
      "address,phone,extra\n"
      "A:1,A,1,山田,太郎,ヤマダ,タロウ,19650412,M,4200001,\"静岡県静岡市葵区追手町9-6, 201\",054-123-4567,x\n"
      "B:7,B,7,,,,,,,,,\n",
      "r.csv");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->records.size(), 2u);
  EXPECT_FALSE(list->febrl);
  EXPECT_EQ(list->records[0].facility, "A");
  EXPECT_EQ(list->records[0].demographics.address, "静岡県静岡市葵区追手町9-6, 201");
  EXPECT_EQ(list->records[1].demographics.family_kanji, "");
}

TEST(RecordsCsvTest, ReadsFebrlAsItIs) {
  auto list = ParseRecordList(
      "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, "
      "soc_sec_id\n"
      "rec-223-org, , waller, 6, tullaroop street, willaroo, st james, 4011, wa, 19081209, 6988048\n"
      "rec-223-dup-0, ben, waler, 6, tullaroop st, , st james, 4011, wa, 19081209, 6988048\n",
      "data/dataset1.csv");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->febrl);
  const Registration& r = list->records[0];
  EXPECT_EQ(r.facility, "dataset1");
  EXPECT_EQ(r.demographics.family_kanji, "waller");
  EXPECT_EQ(r.demographics.identifier, "6988048");
  EXPECT_EQ(r.demographics.address, "wa st james tullaroop street 6 willaroo");
  EXPECT_EQ(FebrlPerson("rec-223-dup-0"), "223");
  EXPECT_EQ(FebrlPerson("rec-223-org"), "223");
  EXPECT_EQ(FebrlPerson("rec-x-org"), "");
  EXPECT_EQ(FebrlPerson("rec-5"), "");
}

TEST(RecordsCsvTest, PreciseErrors) {
  auto expect_error = [](std::string_view text, std::string_view needle) {
    auto r = ParseRecordList(text, "f.csv");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  expect_error("", "empty file");
  expect_error("name,birth\nx,y\n", "no record_id column");
  expect_error("record_id,family_kanji\n1,a\n1,b\n", "line 3: record ID '1' already used on line 2");
  expect_error("record_id,family_kanji\n,a\n", "line 2: empty record ID");
  expect_error("record_id,family_kanji\n1,\"unclosed\n", "f.csv: line 2");
  expect_error("record_id,record_id\n", "appears twice");
  expect_error("record_id,family_kanji\n1,\"a\"b\n", "line 2");
}

TEST(RecordsCsvTest, Truth) {
  auto t = ParseTruth("record_id,person_id,facility_id\nA:1,P1,A\nB:2,P1,B\n", "t.csv");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->at("B:2"), "P1");
  EXPECT_FALSE(ParseTruth("person_id,facility_id\n", "t.csv").ok());
  EXPECT_FALSE(ParseTruth("record_id,person_id\nA,\n", "t.csv").ok());
  EXPECT_FALSE(ParseTruth("record_id,person_id\nA,1\nA,2\n", "t.csv").ok());
  EXPECT_EQ(ReadTruth("/nonexistent/t.csv").status().code(), StatusCode::kNotFound);
}

TEST(RegionalIdTest, RoundTripAndCheckDigit) {
  for (int64_t n : {1LL, 42LL, 123456789LL, 9999999999LL}) {
    const std::string id = FormatRegionalId(n);
    EXPECT_EQ(id.size(), 13u);
    auto back = ParseRegionalId(id);
    ASSERT_TRUE(back.ok()) << id;
    EXPECT_EQ(*back, n);
    std::string typo = id;
    typo[7] = typo[7] == '9' ? '0' : static_cast<char>(typo[7] + 1);
    EXPECT_FALSE(ParseRegionalId(typo).ok()) << "one wrong digit is caught: " << typo;
    std::string swapped = id;
    std::swap(swapped[10], swapped[11]);
    if (swapped != id) EXPECT_FALSE(ParseRegionalId(swapped).ok()) << swapped;
  }
  EXPECT_FALSE(ParseRegionalId("").ok());
  EXPECT_FALSE(ParseRegionalId("RK0000000001").ok());
  EXPECT_FALSE(ParseRegionalId("XX00000000018").ok());
  EXPECT_FALSE(ParseRegionalId("RK0000000000" + std::string(1, '0')).ok());
  EXPECT_FALSE(ParseRegionalId(std::string(10000, 'R')).ok());
}

}  // namespace
}  // namespace renkei::mpi
