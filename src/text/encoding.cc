#include "text/encoding.h"

#include <algorithm>
#include <cctype>

#include "base/status.h"
#include "text/cp932.h"
#include "text/iso2022jp.h"

namespace renkei::text {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

struct RawLine {
  size_t offset;
  size_t length;       // with the ending
  std::string_view content;  // without the ending
};

std::vector<RawLine> SplitLines(std::string_view bytes, size_t start) {
  std::vector<RawLine> out;
  size_t pos = start;
  while (pos < bytes.size()) {
    size_t lf = bytes.find('\n', pos);
    const size_t end = lf == std::string_view::npos ? bytes.size() : lf + 1;
    std::string_view content = bytes.substr(pos, (lf == std::string_view::npos ? bytes.size() : lf) - pos);
    if (content.ends_with('\r')) content.remove_suffix(1);
    out.push_back({pos, end - pos, content});
    pos = end;
  }
  return out;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The encoding a file without a BOM is in: UTF-8 when it all is valid UTF-8; otherwise the
// encoding in which more of its non-ASCII lines are valid (UTF-8 on a tie, since CP932 text
// is almost never valid UTF-8 while UTF-8 text is often valid CP932 by chance).
Encoding Detect(const std::vector<RawLine>& lines) {
  int utf8 = 0, cp932 = 0;
  bool all_utf8 = true;
  for (const RawLine& l : lines) {
    if (IsAscii(l.content)) continue;
    const bool u = text::ValidateUtf8(l.content).ok();
    all_utf8 &= u;
    utf8 += u;
    cp932 += text::DecodeCp932(l.content).ok();
  }
  if (all_utf8) return Encoding::kUtf8;
  return utf8 >= cp932 ? Encoding::kUtf8 : Encoding::kCp932;
}

// The ASCII characters of an undecodable line, every other byte as U+FFFD: in both encodings
// a byte below 0x80 that is a quote, a comma or a line end is always that character.
std::string AsciiProjection(std::string_view line) {
  std::string out;
  for (char c : line) {
    if (static_cast<unsigned char>(c) < 0x80) out += c;
    else out += "\xEF\xBF\xBD";
  }
  return out;
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kAuto: return "auto";
    case Encoding::kUtf8: return "utf-8";
    case Encoding::kCp932: return "cp932";
  }
  return "auto";
}

std::optional<Encoding> EncodingFromName(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "auto") return Encoding::kAuto;
  if (n == "utf-8" || n == "utf8") return Encoding::kUtf8;
  if (n == "cp932" || n == "shift_jis" || n == "sjis" || n == "windows-31j" || n == "shift-jis") return Encoding::kCp932;
  return std::nullopt;
}

DecodedFile DecodeLines(std::string_view bytes, Encoding requested) {
  DecodedFile out;
  out.bom = bytes.starts_with(kBom) && requested != Encoding::kCp932;
  const std::vector<RawLine> raw = SplitLines(bytes, out.bom ? kBom.size() : 0);
  out.encoding = requested;
  if (requested == Encoding::kAuto) out.encoding = out.bom ? Encoding::kUtf8 : Detect(raw);
  int number = 0;
  for (const RawLine& l : raw) {
    SourceLine line;
    line.number = ++number;
    line.offset = l.offset;
    line.length = l.length;
    if (out.encoding == Encoding::kUtf8) {
      Status s = text::ValidateUtf8(l.content);
      if (s.ok()) line.text = std::string(l.content);
      else line.error = s.message();
    } else if (auto t = text::DecodeCp932(l.content); t.ok()) {
      line.text = std::move(t).value();
    } else {
      line.error = t.status().message();
    }
    if (!line.error.empty()) line.text = AsciiProjection(l.content);
    out.lines.push_back(std::move(line));
  }
  return out;
}

}  // namespace renkei::text
