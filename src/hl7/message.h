// HL7 v2 messages: a pure, zero-copy parser and an encoder that round-trips.
//
// Parse() takes the message text (already decoded to UTF-8, see ssmix2/decode.h: a
// message in ISO-2022-JP must be decoded before it is split, because delimiter bytes
// occur inside double-byte runs) and indexes it: a Message owns the text and records,
// per segment, where each field starts and ends. Nothing is copied or unescaped until
// asked for: Field()/Repetition()/Component() hand out views of the raw (escaped)
// text, Get() returns an unescaped copy of one value.
//
// Accepted framing: segments terminated by CR, LF or CRLF; blank lines are ignored; a
// leading MLLP start byte 0x0B and a trailing 0x1C (with or without a final CR) are
// stripped. Delimiters come from MSH-1 and MSH-2. Every error names the segment
// (1-based index and name), the field, repetition and component, and the byte offset.
//
// Messages are immutable after Parse() and safe to read from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace renkei::hl7 {

// The five delimiters a message declares in MSH-1 and MSH-2.
struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';

  // Standard delimiters, as used by SS-MIX2.
  static Delimiters Standard() { return {}; }
  // MSH-2 as it is written: "^~\&".
  std::string EncodingCharacters() const;
};

// Size limits that protect the edge from hostile input. Exceeding one is
// kResourceExhausted, never a crash or unbounded allocation.
struct Limits {
  size_t max_bytes = 64u << 20;     // one SS-MIX2 message is kilobytes; 64 MiB is generous
  size_t max_segments = 100'000;
  size_t max_fields_per_segment = 10'000;
};

// A span of the message text: [begin, begin + size).
struct Span {
  uint32_t begin = 0;
  uint32_t size = 0;
};

class Message;

// One segment of a parsed message. A lightweight view: valid while its Message lives.
class SegmentView {
 public:
  SegmentView(const Message* message, size_t index) : message_(message), index_(index) {}

  // 0-based index of the segment in the message.
  size_t index() const { return index_; }
  // Three-letter segment id, e.g. "PID".
  std::string_view name() const;
  // The highest field number present (MSH counts MSH-1, the field separator).
  int field_count() const;
  // Raw text of field n (1-based, HL7 numbering: MSH-1 is "|", MSH-2 the encoding
  // characters). Empty when absent.
  std::string_view Field(int n) const;

 private:
  const Message* message_;
  size_t index_;
};

// A parsed HL7 v2 message: the text it owns and an index of its segments and fields.
class Message {
 public:
  // The full (normalised: CR-terminated is not enforced) text the message was parsed from.
  const std::string& text() const { return text_; }
  const Delimiters& delimiters() const { return delimiters_; }

  size_t segment_count() const { return segments_.size(); }
  SegmentView segment(size_t i) const { return SegmentView(this, i); }
  // The nth (0-based) segment with this name, or nullopt-like index npos.
  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t FindSegment(std::string_view name, size_t nth = 0) const;
  // Every index of segments with this name.
  std::vector<size_t> FindAll(std::string_view name) const;

  // The message type MSH-9 as "RDE^O11^RDE_O11" components: code, trigger event, structure.
  std::string_view MessageCode() const;
  std::string_view TriggerEvent() const;

  // Unescaped value of segment `name` (first occurrence), field, repetition, component,
  // subcomponent (all 1-based). Empty when any part is absent.
  std::string Get(std::string_view name, int field, int repetition = 1, int component = 1,
                  int subcomponent = 1) const;
  // Same, addressed by segment index.
  std::string GetAt(size_t segment_index, int field, int repetition = 1, int component = 1,
                    int subcomponent = 1) const;

 private:
  friend class SegmentView;
  friend StatusOr<Message> Parse(std::string text, const Limits& limits);

  struct SegmentIndex {
    Span name;
    uint32_t first_field = 0;  // index into fields_
    uint32_t field_count = 0;  // fields stored (for MSH: from MSH-2 on)
  };

  std::string text_;
  Delimiters delimiters_;
  std::vector<SegmentIndex> segments_;
  std::vector<Span> fields_;
};

// Parses one message. Errors (all kInvalidArgument unless noted):
//   empty input; text not starting with MSH; MSH too short or with invalid/duplicate
//   delimiters; a malformed segment id; a second MSH (one message per input); a control
//   byte (other than TAB) inside a field; an unterminated or unknown escape sequence.
//   kResourceExhausted when a Limits bound is exceeded.
StatusOr<Message> Parse(std::string text, const Limits& limits = {});

// Splits a raw field into its parts (views of the raw text). Repetition(), Component() and
// Subcomponent() take 1-based indexes and return "" when absent.
std::string_view Repetition(std::string_view field, int n, const Delimiters& d);
std::string_view Component(std::string_view repetition, int n, const Delimiters& d);
std::string_view Subcomponent(std::string_view component, int n, const Delimiters& d);
// Number of repetitions in a field (0 for an empty field).
int RepetitionCount(std::string_view field, const Delimiters& d);

// Resolves escape sequences: \F\ \S\ \T\ \R\ \E\ give the delimiters, \Xhh..\ the bytes
// (as UTF-8 text they must form), \.br\ a line break; formatting (\H\ \N\ \.sp\ ...) and
// character-set switches (\C..\ \M..\) are removed; \Z..\ (locally defined) is kept verbatim.
// The input has passed Parse()'s validation, so malformed sequences are copied as they are.
std::string Unescape(std::string_view raw, const Delimiters& d);
// Escapes a value so that it can be placed in a field: the inverse of Unescape for the
// delimiters and the escape character.
std::string Escape(std::string_view value, const Delimiters& d);

// Writes a message back as text: segments joined by CR, each terminated by CR.
// Encode(Parse(x)) == x for any x that Parse accepts and that uses CR terminators
// without blank lines or framing bytes.
std::string Encode(const Message& message);

// One segment to build: id and raw (already escaped) field values from field 1
// (for MSH, fields from MSH-3; MSH-1 and MSH-2 come from the delimiters).
struct SegmentData {
  std::string name;
  std::vector<std::string> fields;
};
// Builds message text from segments; Parse() of the result yields the same fields.
std::string Build(const std::vector<SegmentData>& segments, const Delimiters& d = {});

}  // namespace renkei::hl7
