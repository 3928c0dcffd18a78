// SHA-256 of bytes as lower-case hex: how the hub keeps token digests and the fingerprints of
// attached documents (consent forms). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace renkei::pki {

std::string Sha256Hex(std::string_view bytes);

}  // namespace renkei::pki
