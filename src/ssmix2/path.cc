#include "ssmix2/path.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace renkei::ssmix2 {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool IsTimestamp(std::string_view s) {
  return s.size() == 17 && AllDigits(s) && IsValidDate(s.substr(0, 8)) && s.substr(8, 2) <= "23" &&
         s.substr(10, 2) <= "59" && s.substr(12, 2) <= "60";
}

// Parses "PID_DATE_TYPE_ORDERNO_TIMESTAMP_DEPT_FLAG" into `out`. The order number may not
// contain '_', but we split three parts from each end so that one that does is still read.
void ParseName(std::string_view name, StoragePath* out, std::vector<Defect>* defects) {
  std::vector<std::string_view> parts = Split(name, '_');
  if (parts.size() < 7) {
    defects->push_back({DefectKind::kFileNameGrammar,
                        fmt::format("name '{}' has {} parts; expected PID_DATE_TYPE_ORDERNO_TIMESTAMP_DEPT_FLAG",
                                    name, parts.size())});
    return;
  }
  out->key.patient_id = parts[0];
  out->key.date = parts[1];
  out->key.data_type = parts[2];
  std::string order;
  for (size_t i = 3; i + 3 < parts.size(); ++i) {
    if (!order.empty()) order.push_back('_');
    order.append(parts[i]);
  }
  out->key.order_number = order;
  out->timestamp = parts[parts.size() - 3];
  out->department = parts[parts.size() - 2];
  std::string_view flag = parts.back();

  if (out->key.patient_id.empty()) {
    defects->push_back({DefectKind::kFileNameGrammar, "empty patient ID in file name"});
  }
  if (out->key.date != "-" && !IsValidDate(out->key.date)) {
    defects->push_back({DefectKind::kFileNameGrammar,
                        fmt::format("date '{}' in file name is neither YYYYMMDD nor '-'", out->key.date)});
  }
  if (!IsTimestamp(out->timestamp)) {
    defects->push_back({DefectKind::kFileNameGrammar,
                        fmt::format("timestamp '{}' is not YYYYMMDDHHMMSSfff (17 digits)", out->timestamp)});
  }
  if (out->department.empty()) {
    defects->push_back({DefectKind::kFileNameGrammar, "empty department code (use '-' when none)"});
  }
  if (flag == "0") out->flag = ConditionFlag::kDeleted;
  else if (flag == "1") out->flag = ConditionFlag::kValid;
  else if (flag == "2") out->flag = ConditionFlag::kSuperseded;
  else defects->push_back({DefectKind::kFileNameGrammar, fmt::format("condition flag '{}' is not 0, 1 or 2", flag)});
  if (order.size() != 15) {
    defects->push_back({DefectKind::kOrderNumberLength,
                        fmt::format("order number '{}' has {} characters; SS-MIX2 requires 15", order, order.size())});
  }
}

}  // namespace

std::string_view ConditionFlagName(ConditionFlag f) {
  switch (f) {
    case ConditionFlag::kDeleted: return "deleted";
    case ConditionFlag::kValid: return "valid";
    case ConditionFlag::kSuperseded: return "superseded";
  }
  return "valid";
}

bool IsValidDate(std::string_view d) {
  if (d.size() != 8 || !AllDigits(d)) return false;
  int y = std::stoi(std::string(d.substr(0, 4)));
  int m = std::stoi(std::string(d.substr(4, 2)));
  int day = std::stoi(std::string(d.substr(6, 2)));
  if (y < 1800 || m < 1 || m > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) max = 29;
  return day <= max;
}

StoragePath ParsePath(std::string_view relative, std::vector<Defect>* defects) {
  StoragePath out;
  out.relative = std::string(relative);
  std::vector<std::string_view> parts = Split(relative, '/');
  if (parts.size() != 6 && parts.size() != 7) {
    defects->push_back({DefectKind::kPathLayout,
                        fmt::format("path has {} levels; expected PID[0:3]/PID[3:6]/PID/DATE/TYPE/FILE (6) "
                                    "or an extended-storage content file (7)", parts.size())});
    return out;
  }
  std::string_view p0 = parts[0], p1 = parts[1], pid = parts[2], date = parts[3], type = parts[4];
  out.extended = parts.size() == 7;
  if (out.extended) {
    if (!IsExtendedTypeFolder(type)) {
      defects->push_back({DefectKind::kPathLayout,
                          fmt::format("'{}' is a folder inside type folder '{}', which is not an extended-storage type",
                                      parts[5], type)});
      return out;
    }
    std::vector<std::string_view> c = Split(type, '^');
    if (c.size() != 6 || (c[0].empty() && c[3].empty()) || (c[1].empty() && c[4].empty())) {
      defects->push_back({DefectKind::kUnknownDataType,
                          fmt::format("extended type folder '{}' is not local code^name^system^code^name^system", type)});
    } else {
      out.extended_type = {std::string(c[0]), std::string(c[1]), std::string(c[2]),
                           std::string(c[3]), std::string(c[4]), std::string(c[5])};
    }
    out.content_file = std::string(parts[6]);
    ParseName(parts[5], &out, defects);
  } else {
    ParseName(parts[5], &out, defects);
  }

  // Folders against each other and against the name.
  if (pid.empty()) {
    defects->push_back({DefectKind::kPathLayout, "empty patient folder"});
  } else {
    std::string_view want0 = pid.substr(0, std::min<size_t>(3, pid.size()));
    std::string_view want1 = pid.size() > 3 ? pid.substr(3, std::min<size_t>(3, pid.size() - 3)) : std::string_view{};
    if (p0 != want0 || p1 != want1) {
      defects->push_back({DefectKind::kFolderMismatch,
                          fmt::format("prefix folders '{}/{}' do not match patient folder '{}' (expected '{}/{}')", p0,
                                      p1, pid, want0, want1)});
    }
  }
  if (date != "-" && !IsValidDate(date)) {
    defects->push_back({DefectKind::kPathLayout, fmt::format("date folder '{}' is neither YYYYMMDD nor '-'", date)});
  }
  if (!out.key.patient_id.empty() && out.key.patient_id != pid) {
    defects->push_back({DefectKind::kFolderMismatch,
                        fmt::format("patient ID '{}' in the name differs from patient folder '{}'", out.key.patient_id, pid)});
  }
  if (!out.key.date.empty() && out.key.date != date) {
    defects->push_back({DefectKind::kFolderMismatch,
                        fmt::format("date '{}' in the name differs from date folder '{}'", out.key.date, date)});
  }
  if (out.extended) {
    if (!out.extended_type.code().empty() && !out.key.data_type.empty() &&
        out.key.data_type != out.extended_type.code()) {
      defects->push_back({DefectKind::kFolderMismatch,
                          fmt::format("type '{}' in the content folder name differs from extended type code '{}'",
                                      out.key.data_type, out.extended_type.code())});
    }
  } else {
    if (!out.key.data_type.empty() && out.key.data_type != type) {
      defects->push_back({DefectKind::kFolderMismatch,
                          fmt::format("data type '{}' in the name differs from type folder '{}'", out.key.data_type, type)});
    }
    out.type_info = FindDataType(type);
    if (out.type_info == nullptr) {
      defects->push_back({DefectKind::kUnknownDataType, fmt::format("'{}' is not an SS-MIX2 data type", type)});
    } else if (out.type_info->undated != (date == "-")) {
      defects->push_back({DefectKind::kPathLayout,
                          fmt::format("data type {} belongs under date folder {}, found '{}'", type,
                                      out.type_info->undated ? "'-'" : "YYYYMMDD", date)});
    }
  }
  return out;
}

std::string PatientFolder(std::string_view pid) {
  const std::string_view p0 = pid.substr(0, std::min<size_t>(3, pid.size()));
  const std::string_view p1 = pid.size() > 3 ? pid.substr(3, 3) : "";
  return fmt::format("{}/{}/{}", p0, p1, pid);
}

std::string MakePath(const RecordKey& key, std::string_view timestamp, std::string_view department,
                     ConditionFlag flag) {
  const std::string& pid = key.patient_id;
  return fmt::format("{}/{}/{}/{}_{}_{}_{}_{}_{}_{}", PatientFolder(pid), key.date, key.data_type, pid, key.date,
                     key.data_type, key.order_number, timestamp, department, static_cast<int>(flag));
}

}  // namespace renkei::ssmix2
