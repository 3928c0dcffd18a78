#include "http/address.h"

#include <fmt/format.h>

namespace renkei::http {
namespace {

bool IsNameCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool IsIpv6Character(char c) {
  return (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

}  // namespace

StatusOr<HostPort> ParseHostPort(std::string_view text) {
  HostPort result;
  std::string_view rest;  // what follows the host: empty or ":port"
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return InvalidArgument("an IPv6 address opened with '[' is not closed by ']'");
    const std::string_view host = text.substr(1, close - 1);
    if (host.empty()) return InvalidArgument("an empty host");
    for (const char c : host) {
      if (!IsIpv6Character(c)) return InvalidArgument("an IPv6 address in brackets holds only hex digits, ':' and '.'");
    }
    result.host = std::string(host);
    rest = text.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return InvalidArgument("only ':port' may follow an IPv6 address in brackets");
  } else {
    const size_t colon = text.find(':');
    const std::string_view host = text.substr(0, colon);
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return InvalidArgument("an IPv6 address must be written in brackets, e.g. [::1]:8080");
    }
    if (host.empty()) return InvalidArgument("an empty host");
    for (const char c : host) {
      if (c == '@') return InvalidArgument("user info (user@host) is not supported");
      if (!IsNameCharacter(c)) {
        const auto byte = static_cast<unsigned char>(c);
        const std::string what =
            byte > 0x20 && byte < 0x7F ? fmt::format("'{}'", c) : fmt::format("byte 0x{:02X}", byte);
        return InvalidArgument(what + " cannot be part of a host name");
      }
    }
    result.host = std::string(host);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (rest.empty()) return result;
  const std::string_view digits = rest.substr(1);
  if (digits.empty()) return InvalidArgument("an empty port after ':'");
  unsigned port = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return InvalidArgument("the port is not a number");
    port = port * 10 + static_cast<unsigned>(c - '0');
    if (port > 65535) return InvalidArgument("the port is over 65535");
  }
  result.port = static_cast<uint16_t>(port);
  return result;
}

}  // namespace renkei::http
