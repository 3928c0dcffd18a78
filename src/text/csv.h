// CSV records (RFC 4180) from the decoded lines of an uploaded file: fields separated by
// commas, a field in double quotes may hold commas, line breaks and doubled quotes (""). A
// blank line is no record. A record that cannot be read — an unclosed quote, a quote inside
// an unquoted field, text after a closing quote, an undecodable line, more bytes or fields
// than the limits — is returned with the problem and its exact line and column, so that the
// rows around it are still read. Cells are text: nothing is evaluated or interpreted here
// (a cell like "=SUM(A1)" stays those characters). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "text/encoding.h"

namespace renkei::text {

struct CsvLimits {
  size_t max_record_bytes = 1u << 20;  // one row (a receipt row is well under a kilobyte)
  size_t max_fields = 100;
};

enum class CsvProblem {
  kNone,
  kSyntax,    // quoting is broken, or more fields than max_fields
  kEncoding,  // a line of the record is not valid in the file's encoding
  kTooLarge,  // the record is longer than max_record_bytes
};

struct CsvRecord {
  int first_line = 0;  // 1-based physical lines the record spans
  int last_line = 0;
  std::vector<std::string> fields;  // empty when the problem is kTooLarge
  CsvProblem problem = CsvProblem::kNone;
  std::string error;  // "line 7, column 12: ..." when there is a problem
};

std::vector<CsvRecord> ReadCsv(const std::vector<SourceLine>& lines, const CsvLimits& limits = {});

// Writing: appends one cell to a row — as it is, or in double quotes with quotes doubled when
// it holds a comma, a quote or a line break — so that ReadCsv gives it back.
void AppendCsvCell(std::string& row, std::string_view cell);

}  // namespace renkei::text
