// The text of an uploaded file (a receipt computer's CSV, a patient-index record list), line
// by line: which encoding it is in (UTF-8, with or without a byte-order mark, or code page
// 932 — Shift_JIS as Windows writes it), and
// each physical line decoded to UTF-8. A line that is not valid in the encoding keeps its
// place and its ASCII characters (so quotes and commas still delimit the CSV around it) and
// carries the exact error; its rows are quarantined, the others are read. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::text {

enum class Encoding {
  kAuto,   // detect: a BOM or valid UTF-8 means UTF-8; otherwise the encoding more lines are valid in
  kUtf8,   // UTF-8, a leading BOM (EF BB BF) is skipped
  kCp932,  // Windows code page 932 (Shift_JIS with the NEC and IBM extensions)
};
std::string_view EncodingName(Encoding e);  // "auto", "utf-8", "cp932"
// "auto", "utf-8"/"utf8", "cp932"/"shift_jis"/"sjis"/"windows-31j" (any case); nullopt otherwise.
std::optional<Encoding> EncodingFromName(std::string_view name);

// One physical line of the file (ended by LF, CRLF or the end of the file).
struct SourceLine {
  int number = 0;       // 1-based
  size_t offset = 0;    // where its bytes start in the file
  size_t length = 0;    // its bytes, with the line ending
  std::string text;     // decoded to UTF-8, without the line ending
  std::string error;    // "" or what is invalid, e.g. "byte 12: invalid CP932 sequence 0x85 0x40"
};

struct DecodedFile {
  Encoding encoding = Encoding::kUtf8;  // the one used (never kAuto)
  bool bom = false;                     // a UTF-8 byte-order mark was skipped
  std::vector<SourceLine> lines;        // no line after a final line ending
};

DecodedFile DecodeLines(std::string_view bytes, Encoding requested);

}  // namespace renkei::text
