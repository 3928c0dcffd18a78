#include "ssmix2/path.h"

#include <gtest/gtest.h>

namespace renkei::ssmix2 {
namespace {

std::vector<std::string_view> Kinds(const std::vector<Defect>& defects) {
  std::vector<std::string_view> out;
  for (const Defect& d : defects) out.push_back(DefectKindName(d.kind));
  return out;
}

TEST(PathTest, ParsesAStandardStoragePath) {
  std::vector<Defect> defects;
  StoragePath p = ParsePath("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1",
                            &defects);
  EXPECT_TRUE(defects.empty()) << defects.front().detail;
  EXPECT_FALSE(p.extended);
  EXPECT_EQ(p.key.patient_id, "9999013");
  EXPECT_EQ(p.key.date, "20110701");
  EXPECT_EQ(p.key.data_type, "OMP-01");
  EXPECT_EQ(p.key.order_number, "000000011000185");
  EXPECT_EQ(p.timestamp, "20110701224603984");
  EXPECT_EQ(p.department, "01");
  EXPECT_EQ(p.flag, ConditionFlag::kValid);
  ASSERT_NE(p.type_info, nullptr);
  EXPECT_EQ(p.type_info->message_code, "RDE");
  EXPECT_EQ(MakePath(p.key, p.timestamp, p.department, p.flag), p.relative);
}

TEST(PathTest, ReadsEveryConditionFlagAndUndatedTypes) {
  std::vector<Defect> defects;
  StoragePath p = ParsePath("999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_0", &defects);
  EXPECT_TRUE(defects.empty());
  EXPECT_EQ(p.flag, ConditionFlag::kDeleted);
  EXPECT_EQ(p.department, "-");
  p = ParsePath("999/901/9999013/-/PPR-01/9999013_-_PPR-01_999999999999999_20111209163030000_01_2", &defects);
  EXPECT_EQ(p.flag, ConditionFlag::kSuperseded);
  EXPECT_TRUE(defects.empty());
}

TEST(PathTest, EveryStandardDataTypeIsKnown) {
  for (std::string_view code : {"ADT-00", "ADT-01", "ADT-12", "ADT-21", "ADT-22", "ADT-31", "ADT-32", "ADT-41",
                                "ADT-42", "ADT-51", "ADT-52", "ADT-61", "PPR-01", "OMD", "OMP-01", "OMP-02", "OMP-11",
                                "OMP-12", "OML-01", "OML-11", "OMG-01", "OMG-02", "OMG-03", "OMG-11", "OMG-12",
                                "OMG-13"}) {
    EXPECT_NE(FindDataType(code), nullptr) << code;
  }
  EXPECT_EQ(FindDataType("OMP-03"), nullptr);
}

struct BadPath {
  std::string path;
  std::vector<std::string_view> kinds;
  std::string detail;  // substring of the first defect's detail
};

TEST(PathTest, ReportsEveryDefectPrecisely) {
  const std::vector<BadPath> cases = {
      {"000/000/0000001/20000401/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1",
       {"folder_mismatch", "folder_mismatch", "folder_mismatch"},
       "patient ID '9999013' in the name differs from patient folder '0000001'"},
      {"999/901/9999013/20111220/OMG-11/9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1",
       {"order_number_length"}, "order number '2011122000300' has 13 characters; SS-MIX2 requires 15"},
      {"999/900/9999013/20111220/OMG-11/9999013_20111220_OMG-11_201112200030000_20111220224447339_24_1",
       {"folder_mismatch"}, "prefix folders '999/900' do not match patient folder '9999013'"},
      {"999/901/9999013/20111220/OMX-99/9999013_20111220_OMX-99_201112200030000_20111220224447339_24_1",
       {"unknown_data_type"}, "'OMX-99' is not an SS-MIX2 data type"},
      {"999/901/9999013/20111220/ADT-00/9999013_20111220_ADT-00_999999999999999_20111220224447339_-_1",
       {"path_layout"}, "data type ADT-00 belongs under date folder '-'"},
      {"999/901/9999013/20111231/OMD/9999013_20111231_OMD_201112200030000_2011122022444733_01_1",
       {"file_name_grammar"}, "timestamp '2011122022444733' is not YYYYMMDDHHMMSSfff"},
      {"999/901/9999013/20111231/OMD/9999013_20111231_OMD_201112200030000_20111220224447339_01_7",
       {"file_name_grammar"}, "condition flag '7' is not 0, 1 or 2"},
      {"999/901/9999013/20110231/OMD/9999013_20110231_OMD_201112200030000_20111220224447339_01_1",
       {"file_name_grammar", "path_layout"}, "date '20110231' in file name is neither YYYYMMDD nor '-'"},
      {"999/901/9999013/20111231/OMD/9999013_20111231_OMD_20111220224447339_01_1", {"file_name_grammar"},
       "has 6 parts"},
      {"999/901/9999013/OMD/x", {"path_layout"}, "path has 5 levels"},
      {"README.md", {"path_layout"}, "path has 1 levels"},
      {"999/901/9999013/20111231/OMD/sub/x", {"path_layout"}, "not an extended-storage type"},
  };
  for (const BadPath& c : cases) {
    std::vector<Defect> defects;
    ParsePath(c.path, &defects);
    EXPECT_EQ(Kinds(defects), c.kinds) << c.path;
    ASSERT_FALSE(defects.empty()) << c.path;
    EXPECT_NE(defects.front().detail.find(c.detail), std::string::npos)
        << c.path << "\n got: " << defects.front().detail;
  }
}

TEST(PathTest, ParsesExtendedStorageContent) {
  std::vector<Defect> defects;
  StoragePath p = ParsePath(
      "999/901/9999013/20111220/DS01^退院サマリ^99XYZ^^^/9999013_20111220_DS01_000000000012345_20111220224447339_01_1/"
      "summary.pdf",
      &defects);
  EXPECT_TRUE(defects.empty()) << defects.front().detail;
  EXPECT_TRUE(p.extended);
  EXPECT_EQ(p.extended_type.code(), "DS01");
  EXPECT_EQ(p.extended_type.name(), "退院サマリ");
  EXPECT_EQ(p.content_file, "summary.pdf");
  EXPECT_EQ(p.key.order_number, "000000000012345");

  ParsePath("999/901/9999013/20111220/DS01^退院サマリ^99XYZ^^^/9999013_20111220_DS02_000000000012345_20111220224447339_01_1/a.pdf",
            &defects);
  ASSERT_EQ(defects.size(), 1u);
  EXPECT_EQ(defects[0].kind, DefectKind::kFolderMismatch);
  defects.clear();
  ParsePath("999/901/9999013/20111220/^^^^^/9999013_20111220_X_000000000012345_20111220224447339_01_1/a.pdf", &defects);
  ASSERT_FALSE(defects.empty());
  EXPECT_EQ(defects[0].kind, DefectKind::kUnknownDataType);
}

TEST(PathTest, SeverityPolicyDefaultsAndOverrides) {
  SeverityPolicy policy;
  EXPECT_EQ(policy.Of(DefectKind::kHl7Syntax), Severity::kQuarantine);
  EXPECT_EQ(policy.Of(DefectKind::kPatientIdMismatch), Severity::kWarning);
  std::vector<Defect> warn = {{DefectKind::kPatientIdMismatch, ""}};
  EXPECT_FALSE(policy.Quarantines(warn));
  policy.Set(DefectKind::kPatientIdMismatch, Severity::kQuarantine);
  EXPECT_TRUE(policy.Quarantines(warn));
  for (DefectKind k : AllDefectKinds()) EXPECT_EQ(DefectKindFromName(DefectKindName(k)), k);
}

}  // namespace
}  // namespace renkei::ssmix2
