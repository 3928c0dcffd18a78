#include "hub/facility_directory.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/code.h"
#include "base/time.h"
#include "text/csv.h"
#include "text/iso2022jp.h"

namespace renkei::hub {
namespace {

constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE hub_facilities (
  code {text_c} PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  prefecture TEXT NOT NULL,
  city TEXT NOT NULL,
  address TEXT NOT NULL,
  phone TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql"},
};

constexpr std::string_view kKinds[] = {"hospital", "clinic", "pharmacy", "vault", "other"};
constexpr size_t kMaxTextChars = 200;

// UTF-8 of at most kMaxTextChars characters without control characters; `required`: not empty.
Status CheckText(std::string_view field, std::string_view text, bool required) {
  if (required && text.empty()) return InvalidArgument(fmt::format("'{}' is required", field));
  if (!text::ValidateUtf8(text).ok()) return InvalidArgument(fmt::format("'{}' is not UTF-8", field));
  size_t chars = 0;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument(fmt::format("'{}' holds a control character", field));
    chars += (c & 0xC0) != 0x80;
  }
  if (chars > kMaxTextChars) return InvalidArgument(fmt::format("'{}' is longer than {} characters", field, kMaxTextChars));
  return Status::Ok();
}

Facility FromRow(const sql::SqlRow& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)};
}

constexpr const char* kColumns = "code, name, kind, prefecture, city, address, phone, updated_at";

}  // namespace

StatusOr<std::unique_ptr<FacilityDirectory>> FacilityDirectory::Open(std::string_view url) {
  RENKEI_ASSIGN_OR_RETURN(auto db, sql::Open(url));
  RENKEI_RETURN_IF_ERROR(sql::Migrate(*db, kMigrations, "facility_schema_migrations"));
  return std::unique_ptr<FacilityDirectory>(new FacilityDirectory(std::move(db)));
}

StatusOr<Facility> FacilityDirectory::Put(Facility f) {
  if (!IsFacilityCode(f.code)) return InvalidArgument("'facility' must be 1-20 of A-Z a-z 0-9 _ -");
  RENKEI_RETURN_IF_ERROR(CheckText("name", f.name, true));
  if (f.kind.empty()) f.kind = "other";
  if (std::find(std::begin(kKinds), std::end(kKinds), f.kind) == std::end(kKinds)) {
    return InvalidArgument("'kind' is hospital, clinic, pharmacy, vault or other");
  }
  for (const auto& [field, text] : {std::pair{"prefecture", &f.prefecture}, {"city", &f.city}, {"address", &f.address},
                                    {"phone", &f.phone}}) {
    RENKEI_RETURN_IF_ERROR(CheckText(field, *text, false));
  }
  f.updated_at = NowUtcIso8601();
  std::lock_guard lock(mutex_);
  RENKEI_RETURN_IF_ERROR(db_->Query("DELETE FROM hub_facilities WHERE code = $1", {f.code}).status());
  RENKEI_RETURN_IF_ERROR(db_->Query(fmt::format("INSERT INTO hub_facilities ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                                kColumns),
                                    {f.code, f.name, f.kind, f.prefecture, f.city, f.address, f.phone, f.updated_at})
                             .status());
  return f;
}

StatusOr<std::vector<Facility>> FacilityDirectory::List() {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(fmt::format("SELECT {} FROM hub_facilities ORDER BY code", kColumns), {}));
  std::vector<Facility> out;
  for (const sql::SqlRow& r : rows) out.push_back(FromRow(r));
  return out;
}

StatusOr<std::optional<Facility>> FacilityDirectory::Get(std::string_view code) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(fmt::format("SELECT {} FROM hub_facilities WHERE code = $1", kColumns),
                                                {std::string(code)}));
  if (rows.empty()) return std::optional<Facility>();
  return std::optional<Facility>(FromRow(rows[0]));
}

nlohmann::json FacilityJson(const Facility& f) {
  return {{"facility", f.code}, {"name", f.name},       {"kind", f.kind},   {"prefecture", f.prefecture},
          {"city", f.city},     {"address", f.address}, {"phone", f.phone}, {"updated_at", f.updated_at}};
}

StatusOr<std::vector<Facility>> ReadFacilitiesCsv(std::string_view text) {
  const std::vector<text::CsvRecord> records = text::ReadCsv(text::DecodeLines(text, text::Encoding::kUtf8).lines);
  if (records.empty()) return InvalidArgument("the file is empty: the first line must name the columns");
  std::map<std::string, size_t> column;
  for (const text::CsvRecord& r : records) {
    if (r.problem != text::CsvProblem::kNone) return InvalidArgument(r.error);
  }
  for (size_t i = 0; i < records[0].fields.size(); ++i) column[records[0].fields[i]] = i;
  for (const char* required : {"facility_id", "name"}) {
    if (!column.contains(required)) return InvalidArgument(fmt::format("line 1: no column '{}'", required));
  }
  std::vector<Facility> out;
  for (size_t i = 1; i < records.size(); ++i) {
    const text::CsvRecord& r = records[i];
    const auto cell = [&](const char* name) -> std::string {
      auto it = column.find(name);
      return it != column.end() && it->second < r.fields.size() ? r.fields[it->second] : "";
    };
    if (r.fields.size() != records[0].fields.size()) {
      return InvalidArgument(fmt::format("line {}: {} fields where the header names {}", r.first_line, r.fields.size(),
                                         records[0].fields.size()));
    }
    out.push_back({cell("facility_id"), cell("name"), cell("kind"), cell("prefecture"), cell("city"), cell("address"),
                   cell("phone"), ""});
  }
  return out;
}

}  // namespace renkei::hub
