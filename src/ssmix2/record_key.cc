#include "ssmix2/record_key.h"

#include <fmt/format.h>

namespace renkei::ssmix2 {
namespace {

bool KeyChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
}

// The first character that may not appear in a key part, as a printable description.
std::string BadChar(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (KeyChar(s[i])) continue;
    const unsigned char u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u < 0x7F) return fmt::format("'{}' at position {}", s[i], i + 1);
    return fmt::format("byte 0x{:02X} at position {}", u, i + 1);
  }
  return {};
}

}  // namespace

Status CheckPatientId(std::string_view id) {
  if (id.empty()) return InvalidArgument("the patient ID is empty");
  if (id.size() > 64) return InvalidArgument(fmt::format("the patient ID has {} characters; at most 64", id.size()));
  if (std::string bad = BadChar(id); !bad.empty()) {
    return InvalidArgument(fmt::format("the patient ID may hold only letters, digits and '-'; found {}", bad));
  }
  return Status::Ok();
}

StatusOr<std::string> NormalizeOrderNumber(std::string_view n) {
  if (n.empty()) return InvalidArgument("the order number is empty");
  if (n.size() > 15) return InvalidArgument(fmt::format("the order number has {} characters; at most 15", n.size()));
  if (std::string bad = BadChar(n); !bad.empty()) {
    return InvalidArgument(fmt::format("the order number may hold only letters, digits and '-'; found {}", bad));
  }
  return std::string(15 - n.size(), '0') + std::string(n);
}

uint64_t StableHash(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

std::string DerivedOrderNumber(std::string_view seed) {
  return fmt::format("{:015d}", StableHash(seed) % 1'000'000'000'000'000ull);
}

}  // namespace renkei::ssmix2
