#include "mpi/records_csv.h"

#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "text/csv.h"
#include "text/encoding.h"

namespace renkei::mpi {
namespace {

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

StatusOr<std::string> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(fmt::format("cannot open {}", path));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Unavailable(fmt::format("cannot read {}", path));
  return out.str();
}

// The rows of a CSV file with a header, cells trimmed; a row that cannot be read is an error.
struct Table {
  std::map<std::string, size_t> columns;  // header name → index
  std::vector<text::CsvRecord> rows;
  std::optional<size_t> Column(std::string_view name) const {
    auto it = columns.find(std::string(name));
    return it == columns.end() ? std::nullopt : std::optional<size_t>(it->second);
  }
};

StatusOr<Table> ReadTable(std::string_view bytes, std::string_view name) {
  const text::DecodedFile file = text::DecodeLines(bytes, text::Encoding::kAuto);
  text::CsvLimits limits;
  limits.max_record_bytes = 64 << 10;
  limits.max_fields = 64;
  std::vector<text::CsvRecord> records = text::ReadCsv(file.lines, limits);
  if (records.empty()) return InvalidArgument(fmt::format("{}: empty file, expected a header row", name));
  for (const text::CsvRecord& r : records) {
    if (r.problem != text::CsvProblem::kNone) return InvalidArgument(fmt::format("{}: {}", name, r.error));
  }
  Table t;
  for (size_t i = 0; i < records[0].fields.size(); ++i) {
    const std::string column = Trim(records[0].fields[i]);
    if (!column.empty() && !t.columns.emplace(column, i).second) {
      return InvalidArgument(fmt::format("{}: line 1: column '{}' appears twice", name, column));
    }
  }
  records.erase(records.begin());
  t.rows = std::move(records);
  return t;
}

std::string Cell(const text::CsvRecord& r, std::optional<size_t> column) {
  if (!column || *column >= r.fields.size()) return "";
  return Trim(r.fields[*column]);
}

std::string JoinNonEmpty(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

std::string FileStem(std::string_view name) {
  const size_t slash = name.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  return std::string(dot == std::string_view::npos ? base : base.substr(0, dot));
}

}  // namespace

std::string FebrlPerson(std::string_view id) {
  if (!id.starts_with("rec-")) return "";
  id.remove_prefix(4);
  const size_t dash = id.find('-');
  const std::string_view n = id.substr(0, dash);
  if (n.empty() || n.find_first_not_of("0123456789") != std::string_view::npos) return "";
  if (dash == std::string_view::npos) return "";
  const std::string_view kind = id.substr(dash + 1);
  if (kind != "org" && !kind.starts_with("dup-")) return "";
  return std::string(n);
}

StatusOr<RecordList> ParseRecordList(std::string_view bytes, std::string_view name) {
  RENKEI_ASSIGN_OR_RETURN(Table t, ReadTable(bytes, name));
  RecordList list;
  list.febrl = t.Column("rec_id") && t.Column("surname") && t.Column("given_name");
  if (!list.febrl && !t.Column("record_id")) {
    return InvalidArgument(fmt::format(
        "{}: line 1: no record_id column; expected the header record_id,facility,local_id,family_kanji,given_kanji,"
        "family_kana,given_kana,birth_date,sex,postal_code,address,phone (or a FEBRL file)",
        name));
  }
  const std::string facility = FileStem(name);
  std::unordered_map<std::string, int> seen;  // record_id → line
  list.records.reserve(t.rows.size());
  for (const text::CsvRecord& row : t.rows) {
    Registration r;
    Demographics& d = r.demographics;
    if (list.febrl) {
      r.record_id = Cell(row, t.Column("rec_id"));
      r.facility = facility;
      r.local_id = r.record_id;
      d.family_kanji = Cell(row, t.Column("surname"));
      d.given_kanji = Cell(row, t.Column("given_name"));
      d.birth_date = Cell(row, t.Column("date_of_birth"));
      d.postal_code = Cell(row, t.Column("postcode"));
      // Suburb and street first, as a Japanese address reads from the larger place down.
      d.address = JoinNonEmpty({Cell(row, t.Column("state")), Cell(row, t.Column("suburb")),
                                Cell(row, t.Column("address_1")), Cell(row, t.Column("street_number")),
                                Cell(row, t.Column("address_2"))});
      d.identifier = Cell(row, t.Column("soc_sec_id"));
    } else {
      r.record_id = Cell(row, t.Column("record_id"));
      r.facility = Cell(row, t.Column("facility"));
      r.local_id = Cell(row, t.Column("local_id"));
      d.family_kanji = Cell(row, t.Column("family_kanji"));
      d.given_kanji = Cell(row, t.Column("given_kanji"));
      d.family_kana = Cell(row, t.Column("family_kana"));
      d.given_kana = Cell(row, t.Column("given_kana"));
      d.birth_date = Cell(row, t.Column("birth_date"));
      d.sex = Cell(row, t.Column("sex"));
      d.postal_code = Cell(row, t.Column("postal_code"));
      d.address = Cell(row, t.Column("address"));
      d.phone = Cell(row, t.Column("phone"));
      d.identifier = Cell(row, t.Column("identifier"));
    }
    if (r.record_id.empty()) return InvalidArgument(fmt::format("{}: line {}: empty record ID", name, row.first_line));
    auto [it, fresh] = seen.emplace(r.record_id, row.first_line);
    if (!fresh) {
      return InvalidArgument(fmt::format("{}: line {}: record ID '{}' already used on line {}", name, row.first_line,
                                         r.record_id, it->second));
    }
    list.records.push_back(std::move(r));
  }
  return list;
}

StatusOr<RecordList> ReadRecordList(const std::string& path) {
  RENKEI_ASSIGN_OR_RETURN(std::string bytes, Slurp(path));
  return ParseRecordList(bytes, path);
}

StatusOr<Truth> ParseTruth(std::string_view bytes, std::string_view name) {
  RENKEI_ASSIGN_OR_RETURN(Table t, ReadTable(bytes, name));
  const auto id = t.Column("record_id"), person = t.Column("person_id");
  if (!id || !person) {
    return InvalidArgument(fmt::format("{}: line 1: expected the columns record_id and person_id", name));
  }
  Truth truth;
  for (const text::CsvRecord& row : t.rows) {
    std::string r = Cell(row, id), p = Cell(row, person);
    if (r.empty() || p.empty()) {
      return InvalidArgument(fmt::format("{}: line {}: empty record_id or person_id", name, row.first_line));
    }
    if (!truth.emplace(r, p).second) {
      return InvalidArgument(fmt::format("{}: line {}: record ID '{}' appears twice", name, row.first_line, r));
    }
  }
  return truth;
}

StatusOr<Truth> ReadTruth(const std::string& path) {
  RENKEI_ASSIGN_OR_RETURN(std::string bytes, Slurp(path));
  return ParseTruth(bytes, path);
}

}  // namespace renkei::mpi
