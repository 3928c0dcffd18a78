// Standard base64 (RFC 4648 section 4, with padding): FHIR's base64Binary and the edge
// signatures of pki/signature.h. Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::text {

std::string Base64Encode(std::string_view bytes);

// The bytes `text` encodes. Strict: InvalidArgument (naming the offset) for a character outside
// the alphabet, whitespace, a length that is not a multiple of 4, padding anywhere but at the
// end, or non-zero bits left in the last character before the padding.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace renkei::text
