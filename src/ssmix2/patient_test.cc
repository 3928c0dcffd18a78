#include "ssmix2/patient.h"

#include <gtest/gtest.h>

namespace renkei::ssmix2 {
namespace {

Demographics Read(const std::string& pid) {
  auto m = hl7::Parse("MSH|^~\\&|A\r" + pid + "\r");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return ReadDemographics(*m);
}

TEST(PatientTest, ReadsNamesByRepresentationCodeWhateverTheirOrder) {
  Demographics d = Read("PID|1||42^^^^PI||ヤマダ^タロウ^^^^^L^P~山田^太郎^^^^^L^I||19700101|F");
  EXPECT_EQ(d.patient_id, "42");
  EXPECT_EQ(d.kanji_family, "山田");
  EXPECT_EQ(d.kana_given, "タロウ");
  EXPECT_EQ(d.birth_date, "19700101");
  EXPECT_EQ(d.sex, "F");
}

TEST(PatientTest, AddressAndPhoneFallBacks) {
  // No free-text address: state, city and street are joined; old-style phone in component 1.
  Demographics d = Read("PID|1||42||山田^太郎||19700101120000|M|||1-1^^港区^東京都^105-0001||03-1111-2222");
  EXPECT_EQ(d.address, "東京都港区1-1");
  EXPECT_EQ(d.postal_code, "105-0001");
  EXPECT_EQ(d.birth_date, "19700101");  // time of birth dropped
  EXPECT_EQ(d.phone, "03-1111-2222");
  EXPECT_EQ(d.kanji_family, "山田");   // no representation code: the first name is the ideographic one
  // No home phone: the business phone.
  d = Read("PID|1||42|||||||||||^WPN^PH^^^^^^^^^03-3599-9993");  // PID-14
  EXPECT_EQ(d.phone, "03-3599-9993");
  // Escaped delimiters are resolved.
  d = Read("PID|1||42||山田\\S\\^太郎");
  EXPECT_EQ(d.kanji_family, "山田^");
}

TEST(PatientTest, NoPidSegmentGivesEmptyDemographics) {
  auto m = hl7::Parse("MSH|^~\\&|A\rEVN|1\r");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(ReadDemographics(*m), Demographics{});
}

}  // namespace
}  // namespace renkei::ssmix2
