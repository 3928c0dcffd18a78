#include "ssmix2/record.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "text/iso2022jp.h"

namespace renkei::ssmix2 {
namespace {

namespace fs = std::filesystem;
const fs::path kSampleRoot = fs::path(RENKEI_SHARED_DATA_DIR) / "ssmix2-nho" / "sampleData";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Kinds(const std::vector<Defect>& defects) {
  std::string out;
  for (const Defect& d : defects) {
    if (!out.empty()) out += ",";
    out += DefectKindName(d.kind);
  }
  return out;
}

// Every file of the NHO sample tree, with the defects we expect to find in it.
TEST(InspectTest, FindsEveryDefectOfTheNhoSampleTree) {
  const std::map<std::string, std::string> expected = {
      {"9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1", ""},
      {"9999013_20111013_OMD_123456789012345_20111014232213000_01_1", "patient_id_mismatch"},
      {"9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1", ""},
      {"9999013_20110701_OMP-02_123456789012345_20110701224603984_01_1", ""},
      {"9999013_20110701_OMP-12_123456789012345_20110701113813225_01_1", ""},
      {"9999013_20111220_OMG-01_000201101200100_20111220224447339_-_1", "patient_id_mismatch"},
      {"9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1", "order_number_length,patient_id_mismatch"},
      {"9999013_20111220_OMG-03_201112200089100_20111220224447339_01_1", "patient_id_mismatch"},
      {"9999013_20111220_ADT-42_999999999999999_20111220224447339_10_1", ""},
      {"9999013_20111220_OML-01_000000011000354_20111220103059123_15_1", ""},
      {"9999013_20111220_OML-11_000000011000354_20111220103059000_01_1", "patient_id_mismatch"},
      {"9999013_20111220_ADT-52_999999999999999_20111220224447339_08_1", ""},
      {"9999013_20111220_OMG-02_201212201252100_20111220224447339_01_1", "patient_id_mismatch,date_mismatch"},
      {"9999013_20111220_OMG-12_201112201656100_20111220224447339_01_1", "patient_id_mismatch"},
      {"9999013_20111220_OMG-13_999999999999999_20111220224447339_01_1", "patient_id_mismatch"},
      {"9999013_20111120_ADT-22_999999999999999_20111220224447339_01_1", ""},
      {"9999013_-_ADT-61_999999999999999_20111014232213000_-_1", "patient_id_mismatch"},
      {"9999013_-_PPR-01_999999999999999_20111209163030000_01_1", "patient_id_mismatch"},
      {"9999013_-_ADT-00_999999999999999_20111220224447339_-_1", ""},
      {"0000001_20000401_OMP-11_123456789012345_20110701113813225_01_1", "hl7_syntax"},
      {"0000001_20000401_OMP-11_123456789012346_20110701113813226_01_0", "hl7_syntax"},
      {"9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1@ADT-31",
       "folder_mismatch,folder_mismatch,folder_mismatch,encoding"},
  };
  size_t seen = 0;
  SeverityPolicy policy;
  for (const auto& entry : fs::recursive_directory_iterator(kSampleRoot)) {
    if (!entry.is_regular_file()) continue;
    std::string rel = fs::relative(entry.path(), kSampleRoot).generic_string();
    std::string name = entry.path().filename().string();
    if (entry.path().parent_path().filename() == "ADT-31") name += "@ADT-31";
    auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << "unexpected sample file " << rel;
    Inspection ins = Inspect(rel, ReadFile(entry.path()));
    EXPECT_EQ(Kinds(ins.defects), it->second) << rel << (ins.defects.empty() ? "" : ": " + ins.defects.front().detail);
    ++seen;
  }
  EXPECT_EQ(seen, expected.size());
}

TEST(InspectTest, ReadsDemographicsFromAdt00) {
  const std::string rel = "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1";
  Inspection ins = Inspect(rel, ReadFile(kSampleRoot / rel));
  ASSERT_TRUE(ins.demographics.has_value());
  const Demographics& d = *ins.demographics;
  EXPECT_EQ(d.patient_id, "9999013");
  EXPECT_EQ(d.kanji_family, "患者");
  EXPECT_EQ(d.kanji_given, "太郎");
  EXPECT_EQ(d.kana_family, "カンジャ");
  EXPECT_EQ(d.kana_given, "タロウ");
  EXPECT_EQ(d.birth_date, "19480405");
  EXPECT_EQ(d.sex, "M");
  EXPECT_EQ(d.postal_code, "422-8033");
  EXPECT_EQ(d.address, "静岡県静岡市登呂１−３−５");
  EXPECT_EQ(d.phone, "054-000-0000");
  EXPECT_EQ(ins.message_type, "ADT^A08");
}

std::string Jis(std::string_view utf8) { return text::EncodeIso2022Jp(utf8).value(); }

TEST(InspectTest, ReportsEncodingAndCharsetDefectsWithOffsets) {
  const std::string rel = "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1";
  // Kanji without MSH-18 declaring ISO IR87.
  Inspection ins = Inspect(rel, Jis("MSH|^~\\&|A|B|C|D|20111220||ADT^A08^ADT_A01|1|P|2.5\rPID|1||9999013||山田^太郎\r"));
  ASSERT_EQ(ins.defects.size(), 1u);
  EXPECT_EQ(ins.defects[0].kind, DefectKind::kCharsetUndeclared);
  EXPECT_NE(ins.defects[0].detail.find("does not declare ISO IR87"), std::string::npos);
  // A broken escape sequence.
  ins = Inspect(rel, "MSH|^~\\&|A\rPID|1||9999013||\x1b$Z\r");
  ASSERT_EQ(ins.defects.size(), 1u);
  EXPECT_EQ(ins.defects[0].kind, DefectKind::kEncoding);
  EXPECT_NE(ins.defects[0].detail.find("byte 27"), std::string::npos) << ins.defects[0].detail;
  // A message declaring UTF-8 is accepted as UTF-8.
  ins = Inspect(rel, "MSH|^~\\&|A|B|C|D|20111220||ADT^A08^ADT_A01|1|P|2.5||||||UNICODE UTF-8\rPID|1||9999013||山田^太郎\r");
  EXPECT_TRUE(ins.defects.empty()) << ins.defects.front().detail;
  EXPECT_EQ(ins.demographics->kanji_family, "山田");
  // Too large.
  InspectOptions small;
  small.max_message_bytes = 10;
  ins = Inspect(rel, "MSH|^~\\&|A|B|C|D|20111220\r", small);
  ASSERT_EQ(ins.defects.size(), 1u);
  EXPECT_EQ(ins.defects[0].kind, DefectKind::kTooLarge);
  // Not HL7 at all, and an empty file.
  for (std::string junk : {std::string("%PDF-1.4 binary"), std::string()}) {
    ins = Inspect(rel, junk);
    ASSERT_EQ(ins.defects.size(), 1u) << junk;
    EXPECT_EQ(ins.defects[0].kind, DefectKind::kHl7Syntax);
  }
}

TEST(InspectTest, DelimiterBytesInsideJisRunsDoNotSplitFields) {
  // In JIS X 0208, 五 is 0x385E ("8^"), 万 is 0x4B7C ("K|"), 侃 is 0x3426 ("4&") and
  // 京 is 0x357E ("5~"): each carries an HL7 delimiter byte inside its double-byte run.
  std::string jis = Jis("MSH|^~\\&|A|B|C|D|20111220||ADT^A08^ADT_A01|1|P|2.5||||||~ISO IR87\rPID|1||9999013||"
                        "五十嵐^万侃||||||^^^^^^^東京都\r");
  ASSERT_NE(jis.find("K|"), std::string::npos);
  ASSERT_NE(jis.find("8^"), std::string::npos);
  const std::string rel = "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1";
  Inspection ins = Inspect(rel, jis);
  ASSERT_TRUE(ins.demographics.has_value()) << (ins.defects.empty() ? "" : ins.defects.front().detail);
  EXPECT_TRUE(ins.defects.empty());
  EXPECT_EQ(ins.demographics->kanji_family, "五十嵐");
  EXPECT_EQ(ins.demographics->kanji_given, "万侃");
  EXPECT_EQ(ins.demographics->address, "東京都");
}

}  // namespace
}  // namespace renkei::ssmix2
