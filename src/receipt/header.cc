#include "receipt/header.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

namespace renkei::receipt {
namespace {

constexpr std::pair<Column, std::string_view> kColumns[] = {
    {Column::kKind, "kind"},
    {Column::kPatientId, "patient_id"},
    {Column::kDate, "date"},
    {Column::kTime, "time"},
    {Column::kDepartmentCode, "department_code"},
    {Column::kDoctor, "doctor"},
    {Column::kKanjiName, "kanji_name"},
    {Column::kKanaName, "kana_name"},
    {Column::kBirthDate, "birth_date"},
    {Column::kSex, "sex"},
    {Column::kPostalCode, "postal_code"},
    {Column::kAddress, "address"},
    {Column::kPhone, "phone"},
    {Column::kCode, "code"},
    {Column::kCodeSystem, "code_system"},
    {Column::kName, "name"},
    {Column::kIcd10, "icd10"},
    {Column::kEndDate, "end_date"},
    {Column::kDose, "dose"},
    {Column::kDailyDose, "daily_dose"},
    {Column::kUnit, "unit"},
    {Column::kUsageCode, "usage_code"},
    {Column::kUsageText, "usage_text"},
    {Column::kRoute, "route"},
    {Column::kDays, "days"},
    {Column::kRp, "rp"},
    {Column::kOrderNumber, "order_number"},
    {Column::kUpdatedAt, "updated_at"},
};
static_assert(std::size(kColumns) == kColumnCount);

std::string Normalized(std::string_view name) {
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::span<const std::pair<Column, std::string_view>> Columns() { return kColumns; }

std::string_view ColumnName(Column c) { return kColumns[static_cast<size_t>(c)].second; }

StatusOr<Header> Header::Read(const text::CsvRecord& record) {
  if (record.problem != text::CsvProblem::kNone) return InvalidArgument("the header row cannot be read: " + record.error);
  Header h;
  h.field_.fill(-1);
  h.field_count_ = record.fields.size();
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const std::string name = Normalized(record.fields[i]);
    const auto* known = std::find_if(std::begin(kColumns), std::end(kColumns),
                                     [&](const auto& c) { return c.second == name; });
    if (known == std::end(kColumns)) {
      return InvalidArgument(fmt::format("line {}, column {}: unknown column '{}' (see docs/receipt-csv.md for the "
                                         "columns)",
                                         record.first_line, i + 1, record.fields[i]));
    }
    int& slot = h.field_[static_cast<size_t>(known->first)];
    if (slot >= 0) {
      return InvalidArgument(fmt::format("line {}, column {}: column '{}' repeats column {}", record.first_line, i + 1,
                                         name, slot + 1));
    }
    slot = static_cast<int>(i);
  }
  for (Column required : {Column::kKind, Column::kPatientId}) {
    if (h.FieldOf(required) < 0) {
      return InvalidArgument(fmt::format("line {}: the header has no '{}' column", record.first_line, ColumnName(required)));
    }
  }
  return h;
}

}  // namespace renkei::receipt
