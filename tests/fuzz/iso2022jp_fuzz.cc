// libFuzzer target for the ISO-2022-JP codec (src/text/iso2022jp.h).
//
// Feeds arbitrary bytes to the decoder and UTF-8 validator, and checks the properties the rest of
// Renkei relies on:
//   * decoding either fails with InvalidArgument or yields valid UTF-8;
//   * decoded text re-encodes, and decoding that gives the same text back. The one allowed
//     exception is text holding U+00A5 or U+203E, which only JIS X 0201 Roman (ESC ( J) yields
//     and which the encoder deliberately never writes;
//   * encoding is canonical: re-encoding the text of an encoder output reproduces that output;
//   * ValidateUtf8 accepts exactly the inputs the encoder does not reject as invalid UTF-8.
// Any violation traps, so libFuzzer records the input as a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "text/iso2022jp.h"

namespace {

using renkei::StatusCode;
using renkei::text::DecodeIso2022Jp;
using renkei::text::EncodeIso2022Jp;
using renkei::text::ValidateUtf8;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool HasJisRomanOnlyCharacter(std::string_view utf8) {
  return utf8.find("\u00A5") != std::string_view::npos ||
         utf8.find("\u203E") != std::string_view::npos;
}

// The decoded text round-trips through the encoder.
void CheckRoundTrip(const std::string& text) {
  Check(ValidateUtf8(text).ok());
  auto encoded = EncodeIso2022Jp(text);
  if (!encoded.ok()) {
    Check(encoded.status().code() == StatusCode::kInvalidArgument);
    Check(HasJisRomanOnlyCharacter(text));
    return;
  }
  auto again = DecodeIso2022Jp(*encoded);
  Check(again.ok());
  Check(again->utf8 == text);
  // The encoder's output is canonical: encoding its text again changes nothing.
  auto reencoded = EncodeIso2022Jp(again->utf8);
  Check(reencoded.ok() && *reencoded == *encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto decoded = DecodeIso2022Jp(bytes);
  if (decoded.ok()) {
    CheckRoundTrip(decoded->utf8);
  } else {
    Check(decoded.status().code() == StatusCode::kInvalidArgument);
    Check(decoded.status().message().rfind("byte ", 0) == 0);
  }

  // The raw input as UTF-8: the validator and the encoder must agree on what is well-formed.
  const renkei::Status valid = ValidateUtf8(bytes);
  auto encoded = EncodeIso2022Jp(bytes);
  if (!valid.ok()) {
    Check(valid.code() == StatusCode::kInvalidArgument);
    // The encoder stops at the first problem, which may come before the invalid sequence.
    Check(!encoded.ok());
  } else if (encoded.ok()) {
    // Encoding may normalise (Microsoft forms, row 13 duplicates), but the result is canonical.
    auto text = DecodeIso2022Jp(*encoded);
    Check(text.ok());
    auto reencoded = EncodeIso2022Jp(text->utf8);
    Check(reencoded.ok() && *reencoded == *encoded);
  } else {
    // Valid UTF-8 is rejected only for a character without a JIS cell or for ESC, SO or SI.
    Check(encoded.status().message().find("invalid UTF-8") == std::string::npos);
  }
  return 0;
}
