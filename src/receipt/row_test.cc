#include "receipt/row.h"

#include <gtest/gtest.h>

namespace renkei::receipt {
namespace {

// Reads `text` (header first) and returns each data row's result.
std::vector<StatusOr<Row>> Rows(std::string_view text) {
  auto records = text::ReadCsv(text::DecodeLines(text, text::Encoding::kUtf8).lines);
  auto header = Header::Read(records.at(0));
  EXPECT_TRUE(header.ok()) << header.status().ToString();
  std::vector<StatusOr<Row>> out;
  for (size_t i = 1; i < records.size(); ++i) out.push_back(ReadRow(*header, records[i]));
  return out;
}

std::string Error(const StatusOr<Row>& r) { return r.ok() ? "ok" : r.status().message(); }

TEST(HeaderTest, ColumnsInAnyOrderAnyCaseButKnownAndOnce) {
  auto records = text::ReadCsv(text::DecodeLines(" Patient_ID ,KIND,date\n", text::Encoding::kUtf8).lines);
  auto h = Header::Read(records[0]);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->FieldOf(Column::kPatientId), 0);
  EXPECT_EQ(h->FieldOf(Column::kKind), 1);
  EXPECT_EQ(h->FieldOf(Column::kDate), 2);
  EXPECT_EQ(h->FieldOf(Column::kDose), -1);
  auto bad = [](std::string_view text) {
    auto r = text::ReadCsv(text::DecodeLines(text, text::Encoding::kUtf8).lines);
    return Header::Read(r.at(0)).status().message();
  };
  EXPECT_EQ(bad("kind,patient_id,birthdate\n"),
            "line 1, column 3: unknown column 'birthdate' (see docs/receipt-csv.md for the columns)");
  EXPECT_EQ(bad("kind,patient_id,kind\n"), "line 1, column 3: column 'kind' repeats column 1");
  EXPECT_EQ(bad("kind,date\n"), "line 1: the header has no 'patient_id' column");
  EXPECT_NE(bad("kind,\"patient_id\n").find("the header row cannot be read"), std::string::npos);
}

TEST(RowTest, ReadsEveryKindAndNormalisesValues) {
  auto rows = Rows(
      "kind,patient_id,date,time,department_code,doctor,kanji_name,kana_name,birth_date,sex,postal_code,address,phone,"
      "code,code_system,name,icd10,dose,unit,usage_code,usage_text,days,order_number,updated_at\n"
      "patient,9999013,,,,,患者　太郎,カンジャ タロウ,1948/4/5,1,4228033,静岡県静岡市登呂１−３−５,054-000-0000,,,,,,,,,,,\n"
      "visit,9999013,2024-01-05,9:30,01,医師 一郎,,,,,,,,,,,,,,,,,,\n"
      "diagnosis,9999013,20240105,,01,医師 一郎,,,,,,,,20054174,medis,胃炎,K29.7,,,,,,,\n"
      "prescription,9999013,20240105,09:30:15,01,医師 一郎,,,,,,,,108665201,HOT9,ダーゼン錠（５mg),,1,錠,"
      "1013044400000000,内服・経口・１日３回朝昼夕食後,5,11000185,2024-01-05 10:00\n");
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Row& p = *rows[0];
  EXPECT_EQ(p.kind, RowKind::kPatient);
  EXPECT_EQ(p.kanji_name.family, "患者");
  EXPECT_EQ(p.kanji_name.given, "太郎");
  EXPECT_EQ(p.kana_name.given, "タロウ");
  EXPECT_EQ(p.birth_date, "19480405");
  EXPECT_EQ(p.sex, "M");
  EXPECT_EQ(p.postal_code, "422-8033");
  EXPECT_EQ(p.first_line, 2);
  EXPECT_EQ(rows[1]->date, "20240105");
  EXPECT_EQ(rows[1]->time, "093000");
  EXPECT_EQ(rows[1]->doctor.family, "医師");
  EXPECT_EQ(rows[2]->code_system, "MEDIS");
  EXPECT_EQ(rows[2]->icd10, "K297");
  const Row& rx = *rows[3];
  EXPECT_EQ(rx.time, "093015");
  EXPECT_EQ(rx.order_number, "000000011000185");
  EXPECT_EQ(rx.updated_at, "20240105100000000");
  EXPECT_EQ(rx.route, "内服");
  EXPECT_EQ(rx.days, "5");
}

TEST(RowTest, EachBadValueNamesLineColumnAndFormat) {
  const std::string header = "kind,patient_id,date,time,sex,code,code_system,name,dose,days,usage_code,order_number,route\n";
  auto rows = Rows(header +
                   "visit,1,20241301,,,,,,,,,,\n"
                   "referral,1,20240105,,,,,,,,,,\n"
                   "visit,1/2,20240105,,,,,,,,,,\n"
                   "visit,1,20240105,25:00,,,,,,,,,\n"
                   "patient,1,,,X,,,,,,,,\n"
                   "diagnosis,1,20240105,,,K297,,胃炎,,,,,\n"
                   "prescription,1,20240105,,,123,ICD10,薬,,,,,\n"
                   "prescription,1,20240105,,,,,薬,abc,,,,\n"
                   "prescription,1,20240105,,,,,薬,1,0,,,\n"
                   "prescription,1,20240105,,,,,薬,1,5,123,,\n"
                   "prescription,1,20240105,,,,,薬,1,5,,1234567890123456,\n"
                   "prescription,1,20240105,,,,,,1,5,,,\n"
                   "diagnosis,1,,,,,,胃炎,,,,,\n"
                   "visit,1,20240105\n"
                   "prescription,1,20240105,,,,,薬,1,5,,,注射\n");
  ASSERT_EQ(rows.size(), 15u);
  EXPECT_EQ(Error(rows[0]), "line 2, column 3 (date): '20241301' is not a date (YYYYMMDD, YYYY-MM-DD or YYYY/MM/DD)");
  EXPECT_EQ(Error(rows[1]), "line 3, column 1 (kind): 'referral' is not a kind: patient, visit, diagnosis or prescription");
  EXPECT_EQ(Error(rows[2]), "line 4, column 2 (patient_id): the patient ID may hold only letters, digits and '-'; found '/' at position 2");
  EXPECT_EQ(Error(rows[3]), "line 5, column 4 (time): '25:00' is not a time (HHMM, HHMMSS, HH:MM or HH:MM:SS)");
  EXPECT_NE(Error(rows[4]).find("line 6, column 5 (sex): 'X' is not a sex"), std::string::npos) << Error(rows[4]);
  EXPECT_EQ(Error(rows[5]), "line 7, column 7 (code_system): is empty; say which code system the code is from: MEDIS, ICD10");
  EXPECT_EQ(Error(rows[6]), "line 8, column 7 (code_system): 'ICD10' is not a code system of a prescription row: HOT9, HOT7, HOT13, YJ");
  EXPECT_EQ(Error(rows[7]), "line 9, column 9 (dose): 'abc' is not a positive number (e.g. 1 or 0.5)");
  EXPECT_EQ(Error(rows[8]), "line 10, column 10 (days): '0' is not a number of days (1 to 999)");
  EXPECT_EQ(Error(rows[9]), "line 11, column 11 (usage_code): '123' is not a JAMI usage code (16 digits)");
  EXPECT_EQ(Error(rows[10]), "line 12, column 12 (order_number): the order number has 16 characters; at most 15");
  EXPECT_EQ(Error(rows[11]), "line 13, column 8 (name): is empty; a prescription row needs it");
  EXPECT_EQ(Error(rows[12]), "line 14, column 3 (date): is empty; a diagnosis row needs it");
  EXPECT_EQ(Error(rows[13]), "line 15: the row has 3 fields but the header has 13 (a missing or extra comma, or a column left out)");
  EXPECT_EQ(Error(rows[14]), "line 16, column 13 (route): '注射' is not a route: 内服 (21), 頓服 (22) or 外用 (23)");
}

TEST(RowTest, MissingColumnsAndControlCharacters) {
  auto rows = Rows("kind,patient_id\nvisit,1\npatient,1\n");
  EXPECT_EQ(Error(rows[0]), "line 2: a visit row needs column 'date', which the header does not have");
  EXPECT_EQ(Error(rows[1]), "line 3: a patient row needs kanji_name or kana_name");
  auto ctl = Rows("kind,patient_id,kanji_name\npatient,1,\"a\x01\" \"b\"\npatient,1,\"two\nlines\"\n");
  EXPECT_EQ(Error(ctl[0]), "line 2, column 3: control character 0x01 in the value");
  EXPECT_EQ(Error(ctl[1]), "ok") << "a line break inside a quoted value is text";
}

TEST(RowTest, FormulaLikeValuesAreKeptAsText) {
  auto rows = Rows("kind,patient_id,date,name,code,code_system\ndiagnosis,1,20240105,\"=HYPERLINK(\"\"http://x\"\",\"\"胃炎\"\")\",,\n");
  ASSERT_TRUE(rows[0].ok()) << rows[0].status().ToString();
  EXPECT_EQ(rows[0]->name, "=HYPERLINK(\"http://x\",\"胃炎\")");
}

}  // namespace
}  // namespace renkei::receipt
