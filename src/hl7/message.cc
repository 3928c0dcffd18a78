#include "hl7/message.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

namespace renkei::hl7 {
namespace {

bool IsSegmentIdChar(char c, bool first) {
  if (c >= 'A' && c <= 'Z') return true;
  return !first && c >= '0' && c <= '9';
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return c - 'a' + 10;
}

// Where the parser is, for error messages.
struct Cursor {
  size_t segment_index = 0;  // 0-based; printed 1-based
  std::string_view segment_name;
  int field = 0;
  int repetition = 1;
  int component = 1;
};

Status ErrorAt(const Cursor& c, size_t offset, std::string_view what) {
  std::string where = fmt::format("segment {}", c.segment_index + 1);
  if (!c.segment_name.empty()) where += fmt::format(" ({})", c.segment_name);
  if (c.field > 0) {
    where += fmt::format(", field {}", c.field);
    if (c.repetition > 1) where += fmt::format(", repetition {}", c.repetition);
    where += fmt::format(", component {}", c.component);
  }
  return InvalidArgument(fmt::format("{}, byte {}: {}", where, offset, what));
}

// Checks the body of an escape sequence (between the two escape characters).
bool IsValidEscapeBody(std::string_view body) {
  if (body.empty()) return false;
  switch (body[0]) {
    case 'F': case 'S': case 'T': case 'R': case 'E': case 'H': case 'N':
      return body.size() == 1;
    case 'X': {
      if (body.size() < 3 || (body.size() - 1) % 2 != 0) return false;
      return std::all_of(body.begin() + 1, body.end(), IsHex);
    }
    case 'C':  // \Cxxyy\ single-byte character set switch
      return body.size() == 5 && std::all_of(body.begin() + 1, body.end(), IsHex);
    case 'M':  // \Mxxyy\ or \Mxxyyzz\ multi-byte character set switch
      return (body.size() == 5 || body.size() == 7) &&
             std::all_of(body.begin() + 1, body.end(), IsHex);
    case 'Z':  // locally defined
      return true;
    case '.': {  // formatting commands of FT data: .br .sp .fi .nf .in .ti .sk .ce
      static constexpr std::string_view kCommands[] = {"br", "sp", "fi", "nf", "in", "ti", "sk", "ce"};
      std::string_view cmd = body.substr(1, 2);
      return std::find(std::begin(kCommands), std::end(kCommands), cmd) != std::end(kCommands);
    }
    default:
      return false;
  }
}

std::string_view NthPart(std::string_view s, int n, char sep) {
  if (n < 1) return {};
  size_t start = 0;
  for (int i = 1; i < n; ++i) {
    size_t p = s.find(sep, start);
    if (p == std::string_view::npos) return {};
    start = p + 1;
  }
  size_t stop = s.find(sep, start);
  return s.substr(start, stop == std::string_view::npos ? std::string_view::npos : stop - start);
}

}  // namespace

std::string Delimiters::EncodingCharacters() const {
  return std::string{component, repetition, escape, subcomponent};
}

std::string_view SegmentView::name() const {
  const auto& s = message_->segments_[index_];
  return std::string_view(message_->text_).substr(s.name.begin, s.name.size);
}

int SegmentView::field_count() const {
  const auto& s = message_->segments_[index_];
  return static_cast<int>(s.field_count) + (index_ == 0 ? 1 : 0);
}

std::string_view SegmentView::Field(int n) const {
  const auto& s = message_->segments_[index_];
  if (n < 1) return {};
  std::string_view text(message_->text_);
  size_t slot;
  if (index_ == 0) {  // MSH: MSH-1 is the separator itself, stored fields start at MSH-2
    if (n == 1) return text.substr(s.name.begin + s.name.size, 1);
    slot = static_cast<size_t>(n - 2);
  } else {
    slot = static_cast<size_t>(n - 1);
  }
  if (slot >= s.field_count) return {};
  const Span& f = message_->fields_[s.first_field + slot];
  return text.substr(f.begin, f.size);
}

size_t Message::FindSegment(std::string_view name, size_t nth) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segment(i).name() == name) {
      if (nth == 0) return i;
      --nth;
    }
  }
  return npos;
}

std::vector<size_t> Message::FindAll(std::string_view name) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segment(i).name() == name) out.push_back(i);
  }
  return out;
}

std::string_view Message::MessageCode() const {
  return Component(Repetition(segment(0).Field(9), 1, delimiters_), 1, delimiters_);
}

std::string_view Message::TriggerEvent() const {
  return Component(Repetition(segment(0).Field(9), 1, delimiters_), 2, delimiters_);
}

std::string Message::Get(std::string_view name, int field, int repetition, int component,
                         int subcomponent) const {
  size_t i = FindSegment(name);
  if (i == npos) return {};
  return GetAt(i, field, repetition, component, subcomponent);
}

std::string Message::GetAt(size_t segment_index, int field, int repetition, int component,
                           int subcomponent) const {
  if (segment_index >= segments_.size()) return {};
  std::string_view f = segment(segment_index).Field(field);
  if (segment_index == 0 && field <= 2) return std::string(f);  // MSH-1/2 are never split
  std::string_view v = Subcomponent(
      Component(Repetition(f, repetition, delimiters_), component, delimiters_), subcomponent,
      delimiters_);
  return Unescape(v, delimiters_);
}

StatusOr<Message> Parse(std::string input, const Limits& limits) {
  if (input.size() > limits.max_bytes) {
    return ResourceExhausted(fmt::format("message of {} bytes exceeds the limit of {} bytes",
                                         input.size(), limits.max_bytes));
  }
  if (input.size() > UINT32_MAX) return ResourceExhausted("message exceeds 4 GiB");
  Message m;
  m.text_ = std::move(input);
  const std::string_view text(m.text_);
  size_t pos = 0;
  size_t end = text.size();
  if (pos < end && text[pos] == '\x0b') ++pos;  // MLLP start block
  while (end > pos && (text[end - 1] == '\r' || text[end - 1] == '\n' || text[end - 1] == '\x1c')) --end;
  if (pos >= end) return InvalidArgument("empty message");

  Cursor cur;
  if (text.substr(pos, 3) != "MSH") {
    return ErrorAt(cur, pos, "message does not start with an MSH segment");
  }
  cur.segment_name = "MSH";
  if (end - pos < 8) return ErrorAt(cur, pos, "MSH segment too short to declare its delimiters");
  Delimiters& d = m.delimiters_;
  d.field = text[pos + 3];
  size_t enc_begin = pos + 4;
  size_t enc_end = enc_begin;
  while (enc_end < end && text[enc_end] != d.field && text[enc_end] != '\r' && text[enc_end] != '\n') ++enc_end;
  std::string_view enc = text.substr(enc_begin, enc_end - enc_begin);
  // HL7 2.7 adds a fifth encoding character (truncation); 2.5 has four.
  if (enc.size() != 4 && enc.size() != 5) {
    return ErrorAt(cur, enc_begin, fmt::format("MSH-2 must hold 4 encoding characters, found {}", enc.size()));
  }
  d.component = enc[0];
  d.repetition = enc[1];
  d.escape = enc[2];
  d.subcomponent = enc[3];
  const char delims[5] = {d.field, d.component, d.repetition, d.escape, d.subcomponent};
  for (int i = 0; i < 5; ++i) {
    char c = delims[i];
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e ||
        std::isalnum(static_cast<unsigned char>(c))) {
      return ErrorAt(cur, pos + 3 + i, fmt::format("invalid delimiter character 0x{:02X}", static_cast<unsigned char>(c)));
    }
    for (int j = 0; j < i; ++j) {
      if (delims[j] == c) return ErrorAt(cur, pos + 3 + i, fmt::format("delimiter '{}' declared twice", c));
    }
  }

  m.segments_.reserve(32);
  m.fields_.reserve(256);
  while (pos < end) {
    // Find the end of this line.
    size_t line_end = pos;
    while (line_end < end && text[line_end] != '\r' && text[line_end] != '\n') ++line_end;
    if (line_end == pos) {  // blank line
      ++pos;
      continue;
    }
    cur = Cursor{};
    cur.segment_index = m.segments_.size();
    if (m.segments_.size() >= limits.max_segments) {
      return ResourceExhausted(fmt::format("more than {} segments", limits.max_segments));
    }
    const bool is_msh = m.segments_.empty();
    // Segment id.
    size_t p = pos;
    while (p < line_end && text[p] != d.field) ++p;
    std::string_view name = text.substr(pos, p - pos);
    cur.segment_name = name.size() <= 3 ? name : std::string_view{};
    bool valid_name = name.size() == 3;
    for (size_t i = 0; valid_name && i < 3; ++i) valid_name = IsSegmentIdChar(name[i], i == 0);
    if (!valid_name) {
      return ErrorAt(cur, pos, fmt::format("invalid segment id '{}': expected three upper-case letters or digits",
                                           name.substr(0, 16)));
    }
    if (!is_msh && name == "MSH") {
      return ErrorAt(cur, pos, "second MSH segment: one input holds one message");
    }
    Message::SegmentIndex seg;
    seg.name = Span{static_cast<uint32_t>(pos), 3};
    seg.first_field = static_cast<uint32_t>(m.fields_.size());
    int field_number = is_msh ? 1 : 0;
    if (is_msh) p = enc_begin - 1;  // MSH-2 is stored as a field but never scanned for escapes
    while (p < line_end) {
      // p is at a field separator.
      ++p;
      ++field_number;
      if (seg.field_count >= limits.max_fields_per_segment) {
        return ResourceExhausted(fmt::format("segment {} ({}) has more than {} fields", cur.segment_index + 1,
                                             name, limits.max_fields_per_segment));
      }
      size_t fb = p;
      cur.field = field_number;
      cur.repetition = 1;
      cur.component = 1;
      const bool raw = is_msh && field_number == 2;
      while (p < line_end) {
        const char c = text[p];
        if (c == d.field) break;
        if (raw) {
          ++p;
          continue;
        }
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
          return ErrorAt(cur, p, fmt::format("control byte 0x{:02X} inside a field", static_cast<unsigned char>(c)));
        }
        if (c == d.repetition) {
          ++cur.repetition;
          cur.component = 1;
        } else if (c == d.component) {
          ++cur.component;
        } else if (c == d.escape) {
          size_t q = p + 1;
          while (q < line_end && text[q] != d.escape && text[q] != d.field && text[q] != d.component &&
                 text[q] != d.repetition && text[q] != d.subcomponent) {
            ++q;
          }
          if (q >= line_end || text[q] != d.escape) {
            return ErrorAt(cur, p, "unterminated escape sequence");
          }
          std::string_view body = text.substr(p + 1, q - p - 1);
          if (!IsValidEscapeBody(body)) {
            return ErrorAt(cur, p, fmt::format("unknown escape sequence {0}{1}{0}", d.escape, body.substr(0, 32)));
          }
          p = q;
        }
        ++p;
      }
      m.fields_.push_back(Span{static_cast<uint32_t>(fb), static_cast<uint32_t>(p - fb)});
      ++seg.field_count;
    }
    m.segments_.push_back(seg);
    pos = line_end;
    if (pos < end && text[pos] == '\r') ++pos;
    if (pos < end && text[pos] == '\n') ++pos;
  }
  return m;
}

std::string_view Repetition(std::string_view field, int n, const Delimiters& d) {
  return NthPart(field, n, d.repetition);
}
std::string_view Component(std::string_view repetition, int n, const Delimiters& d) {
  return NthPart(repetition, n, d.component);
}
std::string_view Subcomponent(std::string_view component, int n, const Delimiters& d) {
  return NthPart(component, n, d.subcomponent);
}

int RepetitionCount(std::string_view field, const Delimiters& d) {
  if (field.empty()) return 0;
  return 1 + static_cast<int>(std::count(field.begin(), field.end(), d.repetition));
}

std::string Unescape(std::string_view raw, const Delimiters& d) {
  if (raw.find(d.escape) == std::string_view::npos) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c != d.escape) {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t close = raw.find(d.escape, i + 1);
    if (close == std::string_view::npos) {  // unreachable after Parse(); keep the rest verbatim
      out.append(raw.substr(i));
      break;
    }
    std::string_view body = raw.substr(i + 1, close - i - 1);
    if (body == "F") out.push_back(d.field);
    else if (body == "S") out.push_back(d.component);
    else if (body == "T") out.push_back(d.subcomponent);
    else if (body == "R") out.push_back(d.repetition);
    else if (body == "E") out.push_back(d.escape);
    else if (body == ".br") out.push_back('\n');
    else if (!body.empty() && body[0] == 'X' && IsValidEscapeBody(body)) {
      for (size_t k = 1; k + 1 < body.size(); k += 2) {
        out.push_back(static_cast<char>(HexValue(body[k]) * 16 + HexValue(body[k + 1])));
      }
    } else if (!body.empty() && body[0] == 'Z') {
      out.append(raw.substr(i, close - i + 1));
    }
    // H, N, C.., M.. and other formatting commands carry no text.
    i = close + 1;
  }
  return out;
}

std::string Escape(std::string_view value, const Delimiters& d) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == d.escape) out += {d.escape, 'E', d.escape};
    else if (c == d.field) out += {d.escape, 'F', d.escape};
    else if (c == d.component) out += {d.escape, 'S', d.escape};
    else if (c == d.subcomponent) out += {d.escape, 'T', d.escape};
    else if (c == d.repetition) out += {d.escape, 'R', d.escape};
    else if (c == '\r') out += {d.escape, 'X', '0', 'D', d.escape};
    else if (c == '\n') out += {d.escape, '.', 'b', 'r', d.escape};
    else out.push_back(c);
  }
  return out;
}

std::string Encode(const Message& message) {
  std::string out;
  out.reserve(message.text().size() + 1);
  const char sep = message.delimiters().field;
  for (size_t i = 0; i < message.segment_count(); ++i) {
    SegmentView s = message.segment(i);
    out.append(s.name());
    for (int f = 1; f <= s.field_count(); ++f) {
      if (i == 0 && f == 1) continue;  // MSH-1 is the separator written before MSH-2
      out.push_back(sep);
      out.append(s.Field(f));
    }
    out.push_back('\r');
  }
  return out;
}

std::string Build(const std::vector<SegmentData>& segments, const Delimiters& d) {
  std::string out;
  for (const SegmentData& s : segments) {
    out.append(s.name);
    if (s.name == "MSH") {
      out.push_back(d.field);
      out.append(d.EncodingCharacters());
    }
    for (const std::string& f : s.fields) {
      out.push_back(d.field);
      out.append(f);
    }
    out.push_back('\r');
  }
  return out;
}

}  // namespace renkei::hl7
