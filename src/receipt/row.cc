#include "receipt/row.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "ssmix2/path.h"
#include "ssmix2/record_key.h"

namespace renkei::receipt {
namespace {

constexpr std::string_view kIdeographicSpace = "\u3000";

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view s) {
  for (;;) {
    if (s.starts_with(' ')) s.remove_prefix(1);
    else if (s.starts_with(kIdeographicSpace)) s.remove_prefix(kIdeographicSpace.size());
    else if (s.ends_with(' ')) s.remove_suffix(1);
    else if (s.ends_with(kIdeographicSpace)) s.remove_suffix(kIdeographicSpace.size());
    else return s;
  }
}

// "2024-01-05", "2024/1/5" or "20240105" → "20240105"; nullopt when not a calendar date.
std::optional<std::string> ParseDate(std::string_view s) {
  std::string out;
  if (s.size() == 8 && Digits(s)) {
    out = s;
  } else {
    const char sep = s.find('-') != std::string_view::npos ? '-' : '/';
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
      const size_t at = s.find(sep, start);
      parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
      if (at == std::string_view::npos) break;
      start = at + 1;
    }
    if (parts.size() != 3 || parts[0].size() != 4 || parts[1].empty() || parts[1].size() > 2 || parts[2].empty() ||
        parts[2].size() > 2 || !Digits(parts[0]) || !Digits(parts[1]) || !Digits(parts[2])) {
      return std::nullopt;
    }
    out = fmt::format("{}{:0>2}{:0>2}", parts[0], parts[1], parts[2]);
  }
  if (!ssmix2::IsValidDate(out)) return std::nullopt;
  return out;
}

// "0930", "093015", "9:30", "09:30:15" → "093000" / "093015".
std::optional<std::string> ParseTime(std::string_view s) {
  std::string digits;
  if (s.find(':') != std::string_view::npos) {
    const size_t a = s.find(':');
    const size_t b = s.find(':', a + 1);
    std::string_view h = s.substr(0, a), m = s.substr(a + 1, b == std::string_view::npos ? std::string_view::npos : b - a - 1);
    std::string_view sec = b == std::string_view::npos ? "00" : s.substr(b + 1);
    if (h.empty() || h.size() > 2 || m.size() != 2 || sec.size() != 2 || !Digits(h) || !Digits(m) || !Digits(sec)) {
      return std::nullopt;
    }
    digits = fmt::format("{:0>2}{}{}", h, m, sec);
  } else if ((s.size() == 4 || s.size() == 6) && Digits(s)) {
    digits = std::string(s) + (s.size() == 4 ? "00" : "");
  } else {
    return std::nullopt;
  }
  if (digits.substr(0, 2) > "23" || digits.substr(2, 2) > "59" || digits.substr(4, 2) > "59") return std::nullopt;
  return digits;
}

// A positive decimal ("1", "0.5", "12.25").
bool IsDecimal(std::string_view s) {
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos) return Digits(s) && s.find_first_not_of('0') != std::string_view::npos;
  return Digits(s.substr(0, dot)) && Digits(s.substr(dot + 1)) && s.find_first_of("123456789") != std::string_view::npos;
}

bool IsCount(std::string_view s) { return Digits(s) && s.size() <= 3 && s.find_first_not_of('0') != std::string_view::npos; }

PersonName SplitName(std::string_view s) {
  size_t ascii = s.find(' '), wide = s.find(kIdeographicSpace);
  size_t at = std::min(ascii, wide);
  if (at == std::string_view::npos) return {std::string(s), ""};
  const size_t skip = at == wide ? kIdeographicSpace.size() : 1;
  return {std::string(Trim(s.substr(0, at))), std::string(Trim(s.substr(at + skip)))};
}

// Reads the fields of one record into a Row; each check names the line and the column.
class RowReader {
 public:
  RowReader(const Header& h, const text::CsvRecord& r) : h_(h), r_(r) {}

  StatusOr<Row> Read() {
    if (r_.fields.size() != h_.field_count()) {
      return InvalidArgument(fmt::format("line {}: the row has {} fields but the header has {} (a missing or extra "
                                         "comma, or a column left out)",
                                         r_.first_line, r_.fields.size(), h_.field_count()));
    }
    for (size_t i = 0; i < r_.fields.size(); ++i) {
      const std::string& f = r_.fields[i];
      for (size_t k = 0; k < f.size(); ++k) {
        const unsigned char c = static_cast<unsigned char>(f[k]);
        if ((c < 0x20 && c != '\n') || c == 0x7F) {
          return InvalidArgument(fmt::format("line {}, column {}: control character 0x{:02X} in the value", r_.first_line,
                                             i + 1, c));
        }
      }
    }
    Row row;
    row.first_line = r_.first_line;
    row.last_line = r_.last_line;
    const std::string kind = Lower(Get(Column::kKind));
    if (kind == "patient" || kind == "患者") row.kind = RowKind::kPatient;
    else if (kind == "visit" || kind == "受診") row.kind = RowKind::kVisit;
    else if (kind == "diagnosis" || kind == "病名") row.kind = RowKind::kDiagnosis;
    else if (kind == "prescription" || kind == "処方") row.kind = RowKind::kPrescription;
    else return Bad(Column::kKind, "is not a kind: patient, visit, diagnosis or prescription");

    row.patient_id = Get(Column::kPatientId);
    if (Status s = ssmix2::CheckPatientId(row.patient_id); !s.ok()) return Error(Column::kPatientId, s.message());
    RENKEI_ASSIGN_OR_RETURN(row.date, DateAt(Column::kDate));
    RENKEI_ASSIGN_OR_RETURN(row.end_date, DateAt(Column::kEndDate));
    RENKEI_ASSIGN_OR_RETURN(row.birth_date, DateAt(Column::kBirthDate));
    if (std::string t = Get(Column::kTime); !t.empty()) {
      auto time = ParseTime(t);
      if (!time) return Bad(Column::kTime, "is not a time (HHMM, HHMMSS, HH:MM or HH:MM:SS)");
      row.time = *time;
    }
    row.department_code = Get(Column::kDepartmentCode);
    if (!row.department_code.empty() &&
        (row.department_code.size() > 10 ||
         !std::all_of(row.department_code.begin(), row.department_code.end(), [](unsigned char c) { return std::isalnum(c); }))) {
      return Bad(Column::kDepartmentCode, "is not a department code (up to 10 letters or digits, e.g. 01 for 内科)");
    }
    row.doctor = SplitName(Get(Column::kDoctor));
    row.kanji_name = SplitName(Get(Column::kKanjiName));
    row.kana_name = SplitName(Get(Column::kKanaName));
    RENKEI_RETURN_IF_ERROR(ReadDemographics(&row));
    RENKEI_RETURN_IF_ERROR(ReadCoding(&row));
    RENKEI_RETURN_IF_ERROR(ReadDrug(&row));
    if (std::string n = Get(Column::kOrderNumber); !n.empty()) {
      auto normalized = ssmix2::NormalizeOrderNumber(n);
      if (!normalized.ok()) return Error(Column::kOrderNumber, normalized.status().message());
      row.order_number = *normalized;
    }
    RENKEI_RETURN_IF_ERROR(ReadUpdatedAt(&row));
    RENKEI_RETURN_IF_ERROR(CheckRequired(row));
    return row;
  }

 private:
  std::string Get(Column c) const {
    const int f = h_.FieldOf(c);
    return f < 0 ? std::string() : std::string(Trim(r_.fields[static_cast<size_t>(f)]));
  }
  Status Error(Column c, std::string_view message) const {
    return InvalidArgument(fmt::format("line {}, column {} ({}): {}", r_.first_line, h_.FieldOf(c) + 1, ColumnName(c),
                                       message));
  }
  Status Bad(Column c, std::string_view what) const { return Error(c, fmt::format("'{}' {}", Get(c), what)); }
  Status Missing(Column c, std::string_view kind) const {
    if (h_.FieldOf(c) < 0) {
      return InvalidArgument(fmt::format("line {}: a {} row needs column '{}', which the header does not have",
                                         r_.first_line, kind, ColumnName(c)));
    }
    return Error(c, fmt::format("is empty; a {} row needs it", kind));
  }

  StatusOr<std::string> DateAt(Column c) const {
    const std::string v = Get(c);
    if (v.empty()) return std::string();
    auto d = ParseDate(v);
    if (!d) return Bad(c, "is not a date (YYYYMMDD, YYYY-MM-DD or YYYY/MM/DD)");
    return *d;
  }

  Status ReadDemographics(Row* row) const {
    const std::string sex = Lower(Get(Column::kSex));
    if (sex == "m" || sex == "1" || sex == "男" || sex == "male") row->sex = "M";
    else if (sex == "f" || sex == "2" || sex == "女" || sex == "female") row->sex = "F";
    else if (sex == "o" || sex == "other") row->sex = "O";
    else if (sex == "u" || sex == "9" || sex == "unknown") row->sex = "U";
    else if (!sex.empty()) return Bad(Column::kSex, "is not a sex (M, F, O, U, or 1 男 / 2 女)");
    std::string postal = Get(Column::kPostalCode);
    postal.erase(std::remove(postal.begin(), postal.end(), '-'), postal.end());
    if (!postal.empty()) {
      if (postal.size() != 7 || !Digits(postal)) return Bad(Column::kPostalCode, "is not a postal code (NNN-NNNN)");
      row->postal_code = postal.substr(0, 3) + "-" + postal.substr(3);
    }
    row->address = Get(Column::kAddress);
    row->phone = Get(Column::kPhone);
    if (row->phone.find_first_not_of("0123456789-+() ") != std::string::npos) {
      return Bad(Column::kPhone, "is not a telephone number (digits, '-', '+', '(' and ')')");
    }
    return Status::Ok();
  }

  Status ReadCoding(Row* row) const {
    row->code = Get(Column::kCode);
    row->name = Get(Column::kName);
    std::string system = Get(Column::kCodeSystem);
    std::transform(system.begin(), system.end(), system.begin(), [](unsigned char c) { return std::toupper(c); });
    const bool diagnosis = row->kind == RowKind::kDiagnosis;
    const std::vector<std::string_view> allowed =
        diagnosis ? std::vector<std::string_view>{"MEDIS", "ICD10"}
                  : std::vector<std::string_view>{"HOT9", "HOT7", "HOT13", "YJ"};
    if (!row->code.empty() && (row->kind == RowKind::kDiagnosis || row->kind == RowKind::kPrescription)) {
      if (system.empty()) {
        return Error(Column::kCodeSystem, fmt::format("is empty; say which code system the code is from: {}",
                                                      fmt::join(allowed, ", ")));
      }
      if (std::find(allowed.begin(), allowed.end(), system) == allowed.end()) {
        return Bad(Column::kCodeSystem, fmt::format("is not a code system of a {} row: {}",
                                                    RowKindName(row->kind), fmt::join(allowed, ", ")));
      }
      if (row->code.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-") !=
          std::string::npos) {
        return Bad(Column::kCode, "is not a code (letters, digits, '.' and '-')");
      }
      row->code_system = system;
    }
    std::string icd = Get(Column::kIcd10);
    icd.erase(std::remove(icd.begin(), icd.end(), '.'), icd.end());
    if (row->code_system == "ICD10") {
      std::string code = row->code;
      code.erase(std::remove(code.begin(), code.end(), '.'), code.end());
      if (!icd.empty() && icd != code) return Bad(Column::kIcd10, "differs from the ICD-10 code in column code");
      icd = code;
    }
    if (!icd.empty()) {
      if (icd.size() < 3 || icd.size() > 7 || !std::isupper(static_cast<unsigned char>(icd[0])) ||
          !std::all_of(icd.begin() + 1, icd.end(), [](unsigned char c) { return std::isdigit(c) || std::isupper(c); })) {
        return Error(Column::kIcd10, fmt::format("'{}' is not an ICD-10 code (e.g. K29.7 or K297)", icd));
      }
      row->icd10 = icd;
    }
    return Status::Ok();
  }

  Status ReadDrug(Row* row) const {
    for (auto [column, field] : {std::pair{Column::kDose, &row->dose}, std::pair{Column::kDailyDose, &row->daily_dose}}) {
      *field = Get(column);
      if (!field->empty() && !IsDecimal(*field)) return Bad(column, "is not a positive number (e.g. 1 or 0.5)");
    }
    row->unit = Get(Column::kUnit);
    row->usage_code = Get(Column::kUsageCode);
    if (!row->usage_code.empty() && (row->usage_code.size() != 16 || !Digits(row->usage_code))) {
      return Bad(Column::kUsageCode, "is not a JAMI usage code (16 digits)");
    }
    row->usage_text = Get(Column::kUsageText);
    const std::string route = Get(Column::kRoute);
    if (route.empty() || route == "内服" || route == "21") row->route = "内服";
    else if (route == "頓服" || route == "22") row->route = "頓服";
    else if (route == "外用" || route == "23") row->route = "外用";
    else return Bad(Column::kRoute, "is not a route: 内服 (21), 頓服 (22) or 外用 (23)");
    row->days = Get(Column::kDays);
    if (!row->days.empty() && !IsCount(row->days)) return Bad(Column::kDays, "is not a number of days (1 to 999)");
    row->rp = Get(Column::kRp);
    if (!row->rp.empty() && !IsCount(row->rp)) return Bad(Column::kRp, "is not an Rp number (1 to 999)");
    return Status::Ok();
  }

  Status ReadUpdatedAt(Row* row) const {
    const std::string v = Get(Column::kUpdatedAt);
    if (v.empty()) return Status::Ok();
    std::string digits;
    for (char c : v) {
      if (c >= '0' && c <= '9') digits += c;
      else if (c != '-' && c != '/' && c != ':' && c != ' ' && c != 'T' && c != '.') digits = "x";
    }
    if (digits.size() == 12) digits += "00";
    if (digits.size() == 14) digits += "000";
    if (digits.size() != 17 || !ssmix2::IsValidDate(digits.substr(0, 8)) || !ParseTime(digits.substr(8, 6))) {
      return Bad(Column::kUpdatedAt, "is not a date and time (YYYYMMDDHHMMSS, or YYYY-MM-DD HH:MM:SS)");
    }
    row->updated_at = digits;
    return Status::Ok();
  }

  Status CheckRequired(const Row& row) const {
    const std::string_view kind = RowKindName(row.kind);
    if (row.kind == RowKind::kPatient) {
      if (row.kanji_name.empty() && row.kana_name.empty()) {
        return InvalidArgument(fmt::format("line {}: a patient row needs kanji_name or kana_name", r_.first_line));
      }
      return Status::Ok();
    }
    if (row.date.empty()) return Missing(Column::kDate, kind);
    if (row.kind == RowKind::kVisit) return Status::Ok();
    if (row.name.empty()) return Missing(Column::kName, kind);
    if (!row.end_date.empty() && row.end_date < row.date) return Bad(Column::kEndDate, "is before the date");
    return Status::Ok();
  }

  const Header& h_;
  const text::CsvRecord& r_;
};

}  // namespace

std::string_view RowKindName(RowKind k) {
  switch (k) {
    case RowKind::kPatient: return "patient";
    case RowKind::kVisit: return "visit";
    case RowKind::kDiagnosis: return "diagnosis";
    case RowKind::kPrescription: return "prescription";
  }
  return "patient";
}

StatusOr<Row> ReadRow(const Header& header, const text::CsvRecord& record) { return RowReader(header, record).Read(); }

}  // namespace renkei::receipt
