#include "text/csv.h"

#include <algorithm>

#include <fmt/format.h>

namespace renkei::text {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Reads one record, line after line, from `lines[first]`.
class RecordReader {
 public:
  RecordReader(const std::vector<SourceLine>& lines, const CsvLimits& limits) : lines_(lines), limits_(limits) {}

  // Returns the index of the first line after the record.
  size_t Read(size_t first, CsvRecord* rec) {
    rec_ = rec;
    rec->first_line = lines_[first].number;
    size_t i = first;
    for (; i < lines_.size(); ++i) {
      const SourceLine& line = lines_[i];
      rec->last_line = line.number;
      if (!line.error.empty() && rec->problem != CsvProblem::kEncoding) {
        rec->problem = CsvProblem::kEncoding;
        rec->error = fmt::format("line {}: {}", line.number, line.error);
      }
      ScanLine(line);
      if (!in_quotes_) break;
      Append('\n');
    }
    if (in_quotes_) {
      Fail(CsvProblem::kSyntax, fmt::format("line {}, column {}: the quoted field that opens here is not closed "
                                            "before the end of the file",
                                            quote_line_, quote_column_));
      return lines_.size();
    }
    EndField();
    if (rec->problem == CsvProblem::kTooLarge) rec->fields.clear();
    return i + 1;
  }

 private:
  void ScanLine(const SourceLine& line) {
    const std::string& t = line.text;
    int column = 0;
    for (size_t k = 0; k < t.size(); ++k) {
      const char c = t[k];
      if (!IsContinuation(c)) ++column;
      if (in_quotes_) {
        if (c != '"') {
          Append(c);
        } else if (k + 1 < t.size() && t[k + 1] == '"') {
          Append('"');
          ++k;
          ++column;
        } else {
          in_quotes_ = false;
          after_quote_ = true;
        }
        continue;
      }
      if (c == ',') {
        EndField();
        continue;
      }
      if (after_quote_) {
        Fail(CsvProblem::kSyntax, fmt::format("line {}, column {}: text after the closing quote of a field (a quote "
                                              "inside a quoted field is written twice: \"\")",
                                              line.number, column));
        after_quote_ = false;
      }
      if (c == '"') {
        if (field_.empty() && !field_started_) {
          in_quotes_ = true;
          field_started_ = true;
          quote_line_ = line.number;
          quote_column_ = column;
          continue;
        }
        Fail(CsvProblem::kSyntax, fmt::format("line {}, column {}: a quote inside an unquoted field (quote the whole "
                                              "field and write the quote twice)",
                                              line.number, column));
      }
      Append(c);
    }
    if (!in_quotes_) after_quote_ = false;
  }

  void Append(char c) {
    field_started_ = true;
    if (++bytes_ > limits_.max_record_bytes) {
      if (rec_->problem != CsvProblem::kTooLarge) {
        rec_->problem = CsvProblem::kTooLarge;
        rec_->error = fmt::format("line {}: the row is longer than {} bytes", rec_->first_line, limits_.max_record_bytes);
      }
      return;
    }
    field_ += c;
  }

  void EndField() {
    if (rec_->problem != CsvProblem::kTooLarge) {
      if (rec_->fields.size() == limits_.max_fields) {
        Fail(CsvProblem::kSyntax, fmt::format("line {}: the row has more than {} fields", rec_->first_line,
                                              limits_.max_fields));
      } else {
        rec_->fields.push_back(std::move(field_));
      }
    }
    field_.clear();
    field_started_ = false;
    after_quote_ = false;
  }

  // Keeps the first problem; an encoding or size problem is reported before quoting.
  void Fail(CsvProblem p, std::string message) {
    if (rec_->problem != CsvProblem::kNone) return;
    rec_->problem = p;
    rec_->error = std::move(message);
  }

  const std::vector<SourceLine>& lines_;
  const CsvLimits& limits_;
  CsvRecord* rec_ = nullptr;
  std::string field_;
  bool field_started_ = false;  // a quote or a character has been seen in this field
  bool in_quotes_ = false;
  bool after_quote_ = false;    // the field's closing quote was read
  int quote_line_ = 0;
  int quote_column_ = 0;
  size_t bytes_ = 0;
};

}  // namespace

std::vector<CsvRecord> ReadCsv(const std::vector<SourceLine>& lines, const CsvLimits& limits) {
  std::vector<CsvRecord> out;
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].text.empty() && lines[i].error.empty()) {
      ++i;
      continue;
    }
    CsvRecord rec;
    i = RecordReader(lines, limits).Read(i, &rec);
    out.push_back(std::move(rec));
  }
  return out;
}

void AppendCsvCell(std::string& row, std::string_view cell) {
  // One pass over the cell (find_first_of would search the set once per character).
  if (std::none_of(cell.begin(), cell.end(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; })) {
    row += cell;
    return;
  }
  row += '"';
  for (char c : cell) {
    if (c == '"') row += '"';
    row += c;
  }
  row += '"';
}

}  // namespace renkei::text
