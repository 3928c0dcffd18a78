// The "host:port" of a listen address or of a URL's authority.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::http {

struct HostPort {
  std::string host;              // a name or an IPv4 literal, or an IPv6 literal without brackets
  std::optional<uint16_t> port;  // nullopt when the text has none
};

// Parses "host", "host:port", "[ipv6]" or "[ipv6]:port". The host is a name (letters, digits,
// '-', '.') or an IP literal, IPv6 only in brackets. InvalidArgument naming what is wrong: an
// empty host, a character a host cannot hold (e.g. '@': user info is not supported), an IPv6
// address without brackets, an empty or non-numeric port, a port over 65535.
StatusOr<HostPort> ParseHostPort(std::string_view text);

// An absolute URL as Renkei's clients use it: http, https, ws or wss.
struct Url {
  std::string scheme;       // lower case: "http", "https", "ws", "wss"
  std::string host;         // without brackets
  uint16_t port = 80;       // the scheme's default (80, 443) when the URL has none
  std::string authority;    // "host:port", brackets around IPv6: the connection's name in errors
  std::string host_header;  // the Host header: the port left out when it is the default
  std::string target;       // "/path?query", fragment removed
  bool tls() const { return scheme == "https" || scheme == "wss"; }
};

// InvalidArgument for another scheme, a bad host or port, or a space, control or non-ASCII
// byte (which should have been percent-encoded, see target.h's PercentEncode).
StatusOr<Url> ParseUrl(std::string_view text);

}  // namespace renkei::http
