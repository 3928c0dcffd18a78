// One row of a receipt-computer CSV as a checked, normalised item: a patient's demographics,
// a visit, a diagnosis or one drug of a prescription (docs/receipt-csv.md). Every value is
// checked against its column's format and every kind's required columns are present; the
// values are kept as text, trimmed of surrounding spaces, never evaluated. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "text/csv.h"
#include "receipt/header.h"

namespace renkei::receipt {

enum class RowKind {
  kPatient,       // demographics → SS-MIX2 ADT-00
  kVisit,         // an outpatient visit → ADT-12
  kDiagnosis,     // a diagnosis (病名) → PPR-01
  kPrescription,  // one drug of a prescription order → OMP-01 (rows of one order share a message)
};
std::string_view RowKindName(RowKind k);  // "patient", "visit", "diagnosis", "prescription"

// A person's name split at the first space (ASCII or ideographic): "患者 太郎".
struct PersonName {
  std::string family;
  std::string given;
  bool empty() const { return family.empty() && given.empty(); }
};

struct Row {
  RowKind kind = RowKind::kPatient;
  int first_line = 0;
  int last_line = 0;
  std::string patient_id;
  std::string date;             // YYYYMMDD, or "" (patients only)
  std::string time;             // HHMMSS, or ""
  std::string department_code;  // SS-MIX2 診療科 code ("01"), or ""
  PersonName doctor;
  PersonName kanji_name;
  PersonName kana_name;
  std::string birth_date;       // YYYYMMDD or ""
  std::string sex;              // M, F, O, U or ""
  std::string postal_code;      // "422-8033" or ""
  std::string address;
  std::string phone;
  std::string code;             // diagnosis or drug code
  std::string code_system;      // MEDIS, ICD10, HOT9, HOT7, HOT13, YJ; "" when no code
  std::string name;             // diagnosis or drug name
  std::string icd10;            // "K297" (dots removed)
  std::string end_date;         // YYYYMMDD (転帰日) or ""
  std::string dose;             // per administration, a decimal
  std::string daily_dose;       // per day, a decimal
  std::string unit;             // "錠", "mg", ...
  std::string usage_code;       // JAMI 16-digit 用法コード
  std::string usage_text;       // "内服・経口・１日３回朝昼夕食後"
  std::string route;            // 内服, 頓服 or 外用 (prescriptions; 内服 when not given)
  std::string days;             // an integer
  std::string rp;               // Rp number, an integer, or ""
  std::string order_number;     // 15 characters, or "" (derived later)
  std::string updated_at;       // YYYYMMDDHHMMSSfff, or ""
};

// Reads a data record (not the header). Errors: kInvalidArgument "line 12, column 3 (date):
// '20241301' is not a date (YYYYMMDD, YYYY-MM-DD or YYYY/MM/DD)" and the like: a field count
// that differs from the header's, an unknown kind, a value out of its format, a required
// column empty, a control character in a value.
StatusOr<Row> ReadRow(const Header& header, const text::CsvRecord& record);

}  // namespace renkei::receipt
