// The facility directory on SQLite and PostgreSQL, and the facilities.csv it imports.
#include "hub/facility_directory.h"

#include <gtest/gtest.h>

#include "sql/test_database.h"

namespace renkei::hub {
namespace {

class FacilityDirectoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = sql::TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto directory = FacilityDirectory::Open(db_->url());
    ASSERT_TRUE(directory.ok()) << directory.status().ToString();
    directory_ = std::move(directory).value();
  }

  std::unique_ptr<sql::TestDatabase> db_;  // outlives directory_
  std::unique_ptr<FacilityDirectory> directory_;
};

TEST_P(FacilityDirectoryTest, KeepsFacilitiesByCodeAndReplacesWhatIsKnown) {
  auto put = directory_->Put({"2214177245", "砂山町中央病院", "hospital", "静岡県", "浜松市中央区", "静岡県浜松市中央区砂山町2-8-10",
                              "053-225-8029"});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_FALSE(put->updated_at.empty());
  ASSERT_TRUE(directory_->Put({"1318158866", "丸の内医療センター", "hospital"}).ok());
  ASSERT_TRUE(directory_->Put({"2214177245", "砂山町中央病院（新館）", ""}).ok());  // renamed; kind defaults
  auto list = directory_->List();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].code, "1318158866");
  EXPECT_EQ((*list)[1].name, "砂山町中央病院（新館）");
  EXPECT_EQ((*list)[1].kind, "other");
  EXPECT_EQ((*list)[1].address, "");
  auto one = directory_->Get("1318158866");
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->name, "丸の内医療センター");
  EXPECT_FALSE(directory_->Get("9999999999")->has_value());
  EXPECT_FALSE(directory_->Get("' OR 1=1 --")->has_value());

  // Reopened: still there.
  directory_.reset();
  auto reopened = FacilityDirectory::Open(db_->url());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->List()->size(), 2u);
}

TEST_P(FacilityDirectoryTest, RefusesMalformedFieldsNamingThem) {
  const auto error = [&](Facility f) {
    auto put = directory_->Put(std::move(f));
    return put.ok() ? std::string("ok") : put.status().message();
  };
  EXPECT_EQ(error({"", "x"}), "'facility' must be 1-20 of A-Z a-z 0-9 _ -");
  EXPECT_EQ(error({"12345678901234567890X", "x"}), "'facility' must be 1-20 of A-Z a-z 0-9 _ -");
  EXPECT_EQ(error({"13 1", "x"}), "'facility' must be 1-20 of A-Z a-z 0-9 _ -");
  EXPECT_EQ(error({"1318158866", ""}), "'name' is required");
  EXPECT_EQ(error({"1318158866", "x", "spaceship"}), "'kind' is hospital, clinic, pharmacy, vault or other");
  EXPECT_EQ(error({"1318158866", "a\nb"}), "'name' holds a control character");
  EXPECT_EQ(error({"1318158866", std::string("\xff\xfe", 2)}), "'name' is not UTF-8");
  EXPECT_EQ(error({"1318158866", std::string(200, 'x')}), "ok");
  EXPECT_EQ(error({"1318158866", "x", "clinic", "", "", std::string(67, 'x') + "病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院病院"}),
            "'address' is longer than 200 characters");
}

INSTANTIATE_TEST_SUITE_P(Backends, FacilityDirectoryTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(FacilitiesCsvTest, ReadsTheRegionsFileAndNamesTheLineOfABadRow) {
  auto read = ReadFacilitiesCsv(
      "facility_id,name,kind,folder,prefecture,city,address,phone,patient_id_digits\n"
      "1318158866,丸の内医療センター,hospital,1318158866,東京都,千代田区,東京都千代田区丸の内4-5-3,03-3399-5201,8\n"
      "2217759954,\"笠原内科, クリニック\",clinic,2217759954,静岡県,静岡市葵区,,054-421-0887,8\n");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].code, "1318158866");
  EXPECT_EQ((*read)[0].address, "東京都千代田区丸の内4-5-3");
  EXPECT_EQ((*read)[1].name, "笠原内科, クリニック");
  EXPECT_EQ((*read)[1].kind, "clinic");

  EXPECT_EQ(ReadFacilitiesCsv("").status().message(), "the file is empty: the first line must name the columns");
  EXPECT_EQ(ReadFacilitiesCsv("code,name\n1,x\n").status().message(), "line 1: no column 'facility_id'");
  EXPECT_EQ(ReadFacilitiesCsv("facility_id,name\n1,x\n2\n").status().message(), "line 3: 1 fields where the header names 2");
  EXPECT_NE(ReadFacilitiesCsv("facility_id,name\n1,\"x\n").status().message().find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace renkei::hub
