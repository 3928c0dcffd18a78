#include "text/cp932.h"

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <string>
#include <vector>

namespace renkei::text {
namespace {

std::string HexBytes(const char* bytes, int8_t length) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (int8_t i = 0; i < length; ++i) {
    const unsigned char b = static_cast<unsigned char>(bytes[i]);
    if (i > 0) out += ' ';
    out += {'0', 'x', kHex[b >> 4], kHex[b & 0xF]};
  }
  return out;
}

}  // namespace

StatusOr<std::string> DecodeCp932(std::string_view bytes) {
  UErrorCode error = U_ZERO_ERROR;
  UConverter* converter = ucnv_open("windows-31j", &error);
  if (U_FAILURE(error)) return Internal(std::string("ICU converter windows-31j is unavailable: ") + u_errorName(error));
  ucnv_setToUCallBack(converter, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &error);
  // Every CP932 character is one or two bytes and one UTF-16 unit.
  std::vector<UChar> utf16(bytes.size() + 1);
  UChar* target = utf16.data();
  const char* source = bytes.data();
  ucnv_toUnicode(converter, &target, utf16.data() + utf16.size(), &source, bytes.data() + bytes.size(), nullptr,
                 /*flush=*/true, &error);
  if (U_FAILURE(error)) {
    char invalid[8];
    int8_t length = sizeof invalid;
    UErrorCode e2 = U_ZERO_ERROR;
    ucnv_getInvalidChars(converter, invalid, &length, &e2);
    ucnv_close(converter);
    const size_t offset = static_cast<size_t>(source - bytes.data()) - static_cast<size_t>(length);
    if (error == U_TRUNCATED_CHAR_FOUND) {
      return InvalidArgument("byte " + std::to_string(offset) + ": truncated CP932 sequence " +
                             HexBytes(invalid, length) + " at end of input");
    }
    return InvalidArgument("byte " + std::to_string(offset) + ": invalid CP932 sequence " + HexBytes(invalid, length));
  }
  ucnv_close(converter);
  const int32_t units = static_cast<int32_t>(target - utf16.data());
  std::string out(static_cast<size_t>(units) * 3, '\0');
  int32_t written = 0;
  error = U_ZERO_ERROR;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &written, utf16.data(), units, &error);
  if (U_FAILURE(error)) return Internal(std::string("UTF-16 to UTF-8 failed: ") + u_errorName(error));
  out.resize(static_cast<size_t>(written));
  return out;
}

}  // namespace renkei::text
