// The Japanese text codec: ISO-2022-JP <-> UTF-8, for HL7 v2 files in SS-MIX2 storage.
//
// SS-MIX2 files declare MSH-18 "~ISO IR87" and are written in ISO-2022-JP: ASCII plus escape
// sequences that switch to JIS X 0208 (two bytes per character, both 0x21-0x7E) or to JIS X 0201
// half-width katakana. Inside those runs the bytes 0x7C '|', 0x5E '^', 0x26 '&' and 0x5C '\' are
// halves of Japanese characters, not HL7 delimiters, so a file must be decoded to UTF-8 with
// DecodeIso2022Jp before any HL7 splitting, and encoded back with EncodeIso2022Jp only after
// the message has been assembled.
//
// What is accepted (RFC 1468 plus two extensions that Japanese hospital systems emit):
//   ESC ( B   ASCII (the initial state)
//   ESC ( J   JIS X 0201 Roman: as ASCII except 0x5C -> U+00A5 YEN SIGN, 0x7E -> U+203E OVERLINE
//   ESC ( I   JIS X 0201 half-width katakana: 0x21-0x5F -> U+FF61-U+FF9F (not in RFC 1468)
//   ESC $ B   JIS X 0208-1983/1990
//   ESC $ @   JIS C 6226-1978, decoded with the same table as ESC $ B (as ICU and Python do)
// JIS X 0208 cells map with JIS semantics (0x2141 -> U+301C WAVE DASH, not U+FF5E), and row 13
// holds the NEC special characters of Windows code page 932 (①, Ⅰ, ㎎, ㈱, №, ...). The table
// is built once, on first use, from ICU's converters; iso2022jp.cc says exactly how.
//
// Nothing is ever replaced silently: every malformed input is an InvalidArgument naming the byte
// offset. The encoder writes the canonical form (fewest escape sequences, never ESC ( J or
// ESC $ @, back to ASCII before every CR or LF and at the end), so for a canonical file
// EncodeIso2022Jp(DecodeIso2022Jp(b)->utf8) == b.
//
// All functions are pure and thread-safe (the shared tables are immutable after first use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::text {

// Character sets that may appear in an ISO-2022-JP stream, as bit flags. The bit position of a
// flag is its index in DecodeResult::first_offset.
enum Charset : uint32_t {
  kAscii = 1,             // ESC ( B, the initial state; also C0 controls and SPACE in any state
  kJisX0201Roman = 2,     // ESC ( J
  kJisX0201Katakana = 4,  // ESC ( I, half-width katakana
  kJisX0208 = 8,          // ESC $ B and ESC $ @ (also carries the NEC row 13 characters)
};

struct DecodeResult {
  std::string utf8;  // the decoded text
  // OR of the Charset flags whose graphic characters actually occur. kAscii is set when any
  // byte is decoded as ASCII (every byte in the ASCII state, C0 controls and SPACE in any state);
  // a non-ASCII set only when at least one of its characters occurs, so an empty run such as
  // "ESC $ B ESC ( B" sets nothing.
  uint32_t charsets_used = 0;
  // For each non-ASCII charset (index = bit position: 1 Roman, 2 katakana, 3 JIS X 0208), the
  // byte offset of the escape sequence that selected the first run holding one of its
  // characters. Only meaningful when the charset's bit is set in charsets_used; index 0 unused.
  size_t first_offset[4] = {};
};

// Decodes ISO-2022-JP bytes to UTF-8.
//
// Errors, all InvalidArgument with a message starting "byte N: " where N is the offset of the
// offending byte (for escape sequences and double-byte characters, of their first byte):
//   "unknown escape sequence ESC ( Z"       a well-formed escape sequence this codec does not
//                                           accept (e.g. ESC $ ( D, JIS X 0212)
//   "malformed escape sequence ESC ( 0x0D"  ESC not followed by an ISO 2022 escape sequence
//   "truncated escape sequence at end of input"
//   "8-bit byte 0xA4 in ISO-2022-JP"        any byte >= 0x80 (e.g. Shift_JIS or EUC-JP input)
//   "SO/SI shift is not ISO-2022-JP"        0x0E or 0x0F, in any state
//   "JIS X 0208 code 0x7427 has no Unicode mapping"  a cell outside JIS X 0208 and NEC row 13
//   "truncated double-byte character at end of input"
//   "truncated double-byte character before escape sequence"
//   "byte 0x20 is not a JIS X 0208 character byte"   SPACE, DEL or a control between halves
//   "line break inside a double-byte run"   CR or LF in the JIS X 0208 state (an SS-MIX2 file
//                                           that does not return to ASCII before the end of a
//                                           line is corrupt)
//   "line break inside a half-width katakana run"    likewise for ESC ( I
//   "byte 0x60 is not a half-width katakana code"    outside 0x21-0x5F in the katakana state
//   "input ends in the JIS X 0208 state without ESC ( B" (or "... half-width katakana state")
//                                           N is then the input size; RFC 1468 text ends in
//                                           ASCII, and a file cut short usually ends this way
// Internal if ICU's converter data needed to build the JIS X 0208 table is missing.
StatusOr<DecodeResult> DecodeIso2022Jp(std::string_view bytes);

// Encodes UTF-8 to canonical ISO-2022-JP: U+0000-U+007F as ASCII, half-width katakana
// (U+FF61-U+FF9F) after ESC ( I, everything else through JIS X 0208 (with NEC row 13) after
// ESC $ B; ESC ( B before every CR or LF and at the end when not already in ASCII. Besides the
// characters the decoder produces, it accepts the Microsoft code page 932 forms U+FF5E, U+2225,
// U+FF0D, U+FFE0, U+FFE1, U+FFE2 and U+2015 for the cells 0x2141, 0x2142, 0x215D, 0x2171,
// 0x2172, 0x224C and 0x213D; characters in both row 2 and row 13 (≒ ≡ ∫ √ ⊥ ∠ ∵ ∩ ∪) are
// written in row 2, as code page 932 does.
//
// Errors, all InvalidArgument with "byte N: " naming the offset in the UTF-8 input:
//   "invalid UTF-8: ..."                      as ValidateUtf8 reports it
//   "U+00A5 has no ISO-2022-JP mapping"       a code point outside ASCII, half-width katakana,
//                                             JIS X 0208 and NEC row 13 (this includes U+00A5
//                                             and U+203E: JIS X 0201 Roman is never written)
//   "control character U+001B cannot be encoded in ISO-2022-JP"   ESC, SO and SI, which would
//                                             change the meaning of the output
// Internal if ICU's converter data needed to build the table is missing.
StatusOr<std::string> EncodeIso2022Jp(std::string_view utf8);

// Checks that `bytes` is well-formed UTF-8 (Unicode 15, table 3-7), for messages that declare
// MSH-18 "UNICODE UTF-8". Returns OK or InvalidArgument
// "byte N: invalid UTF-8: <reason>", N being the offset of the first byte of the bad sequence and
// the reason one of: "unexpected continuation byte 0x80", "invalid byte 0xFF",
// "overlong encoding", "surrogate U+D800", "code point above U+10FFFF",
// "missing continuation byte", "truncated sequence at end of input".
Status ValidateUtf8(std::string_view bytes);

}  // namespace renkei::text
