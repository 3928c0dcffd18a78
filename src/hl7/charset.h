// Turning the bytes of an HL7 v2 message into UTF-8 text, honouring MSH-18.
//
// Japanese HL7 (JAHIS, SS-MIX2) is written in ISO-2022-JP: ASCII plus escape-selected
// JIS X 0208 kanji and half-width kana, declared in MSH-18 as "~ISO IR87" (and "ISO IR13"
// for half-width kana). Delimiter bytes occur inside the double-byte runs, so the whole
// message is decoded before it is split. A message that declares "UNICODE UTF-8" is
// validated as UTF-8 instead.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::hl7 {

// The character sets a message declares in MSH-18.
struct DeclaredCharsets {
  bool jis_x0208 = false;          // "ISO IR87"
  bool jis_x0201_katakana = false; // "ISO IR13"
  bool jis_x0201_roman = false;    // "ISO IR14"
  bool utf8 = false;               // "UNICODE UTF-8"
};

// Reads MSH-18 (all repetitions) of a decoded or ASCII-compatible message text. Names are
// compared without spaces and case ("ISOIR87" is read as "ISO IR87", as real senders write both).
DeclaredCharsets ReadDeclaredCharsets(std::string_view text);

// Decodes a message to UTF-8. Errors:
//   kInvalidArgument    — bytes invalid in the encoding (message names the byte offset);
//   kFailedPrecondition — the message uses JIS X 0208 or half-width kana that MSH-18 does
//                         not declare (message names the set and the byte offset).
StatusOr<std::string> DecodeMessageText(std::string_view bytes);

}  // namespace renkei::hl7
