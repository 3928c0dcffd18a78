// Code page 932 (Windows Shift_JIS, "windows-31j") → UTF-8: the encoding Japanese receipt
// computers (レセコン) write their CSV exports in. ASCII, half-width katakana, JIS X 0208 and
// the NEC and IBM extensions, through ICU's windows-31j converter (0x5C is a backslash and
// 0x7E a tilde, as Windows reads them). Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::text {

// Decodes CP932 bytes to UTF-8. Nothing is replaced silently: errors are InvalidArgument
// "byte N: invalid CP932 sequence 0x85 0x40" (a lead byte without a valid trail, or a pair
// with no character) or "byte N: truncated CP932 sequence 0x82 at end of input", N being the
// 0-based offset of the first byte of the sequence; Internal when ICU's converter data is missing.
StatusOr<std::string> DecodeCp932(std::string_view bytes);

}  // namespace renkei::text
