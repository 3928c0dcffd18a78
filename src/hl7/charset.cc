#include "hl7/charset.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "text/iso2022jp.h"

namespace renkei::hl7 {
namespace {

// MSH-18 of the first line, found by splitting on the declared field separator. Valid for
// text that is already decoded, and for raw UTF-8 (whose multi-byte sequences never
// contain ASCII bytes).
std::string_view Msh18(std::string_view text) {
  size_t start = text.find("MSH");
  if (start == std::string_view::npos || start > 1 || text.size() < start + 4) return {};
  std::string_view line = text.substr(start);
  line = line.substr(0, line.find_first_of("\r\n"));
  const char sep = line[3];
  size_t pos = 3;  // the separator that is MSH-1 also opens MSH-2; find the one opening MSH-18
  for (int field = 2; field < 18; ++field) {
    pos = line.find(sep, pos + 1);
    if (pos == std::string_view::npos) return {};
  }
  size_t stop = line.find(sep, pos + 1);
  return line.substr(pos + 1, stop == std::string_view::npos ? std::string_view::npos : stop - pos - 1);
}

std::string Normalise(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c != ' ') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

DeclaredCharsets ReadDeclaredCharsets(std::string_view text) {
  DeclaredCharsets out;
  std::string_view field = Msh18(text);
  // MSH-2's repetition separator is the second encoding character.
  char rep = '~';
  if (text.size() > 5 && text.substr(0, 3) == "MSH") rep = text[5];
  size_t start = 0;
  while (start <= field.size()) {
    size_t p = field.find(rep, start);
    std::string name = Normalise(field.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (name == "ISOIR87") out.jis_x0208 = true;
    else if (name == "ISOIR13") out.jis_x0201_katakana = true;
    else if (name == "ISOIR14") out.jis_x0201_roman = true;
    else if (name == "UNICODEUTF-8" || name == "UNICODEUTF8") out.utf8 = true;
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

StatusOr<std::string> DecodeMessageText(std::string_view bytes) {
  auto decoded = text::DecodeIso2022Jp(bytes);
  if (!decoded.ok()) {
    // Not ISO-2022-JP: acceptable only when the message declares UTF-8.
    if (ReadDeclaredCharsets(bytes).utf8) {
      RENKEI_RETURN_IF_ERROR(text::ValidateUtf8(bytes));
      return std::string(bytes);
    }
    return decoded.status();
  }
  const DeclaredCharsets declared = ReadDeclaredCharsets(decoded->utf8);
  const uint32_t used = decoded->charsets_used;
  if ((used & text::kJisX0208) && !declared.jis_x0208) {
    return FailedPrecondition(fmt::format(
        "byte {}: JIS X 0208 text, but MSH-18 does not declare ISO IR87",
        decoded->first_offset[3]));
  }
  if ((used & text::kJisX0201Katakana) && !declared.jis_x0201_katakana) {
    return FailedPrecondition(fmt::format(
        "byte {}: half-width katakana, but MSH-18 does not declare ISO IR13",
        decoded->first_offset[2]));
  }
  return std::move(decoded->utf8);
}

}  // namespace renkei::hl7
