// The columns of a receipt-computer CSV (docs/receipt-csv.md) and its header row: which field
// of a row holds which column. Column names are matched without case and surrounding spaces;
// the order is free and a file carries only the columns it uses, but `kind` and `patient_id`
// are always there. Pure.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "base/status.h"
#include "text/csv.h"

namespace renkei::receipt {

enum class Column {
  kKind, kPatientId, kDate, kTime, kDepartmentCode, kDoctor,
  kKanjiName, kKanaName, kBirthDate, kSex, kPostalCode, kAddress, kPhone,
  kCode, kCodeSystem, kName, kIcd10, kEndDate,
  kDose, kDailyDose, kUnit, kUsageCode, kUsageText, kRoute, kDays, kRp,
  kOrderNumber, kUpdatedAt,
};
inline constexpr size_t kColumnCount = static_cast<size_t>(Column::kUpdatedAt) + 1;

// Every column with its name as written in the header ("patient_id").
std::span<const std::pair<Column, std::string_view>> Columns();
std::string_view ColumnName(Column c);

class Header {
 public:
  // Reads the header record. Errors (kInvalidArgument, naming line and column): a header the
  // CSV reader could not read, an unknown or repeated column name, `kind` or `patient_id`
  // missing.
  static StatusOr<Header> Read(const text::CsvRecord& record);

  // The 0-based field index of column `c`, or -1 when the file does not have it.
  int FieldOf(Column c) const { return field_[static_cast<size_t>(c)]; }
  size_t field_count() const { return field_count_; }

 private:
  std::array<int, kColumnCount> field_{};
  size_t field_count_ = 0;
};

}  // namespace renkei::receipt
