#include "http/address.h"

#include <algorithm>
#include <cctype>

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

StatusOr<Url> ParseUrl(std::string_view text) {
  const size_t scheme_end = text.find("://");
  Url url;
  url.scheme = std::string(text.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" && url.scheme != "wss") {
    return InvalidArgument("the URL must begin with http://, https://, ws:// or wss://");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte <= 0x20 || byte >= 0x7F) {
      return InvalidArgument(
          fmt::format("byte {} of the URL is a space, control or non-ASCII byte: percent-encode it", i));
    }
  }
  const std::string_view rest = text.substr(scheme_end + 3);
  const size_t authority_end = rest.find_first_of("/?#");
  StatusOr<HostPort> host_port = ParseHostPort(rest.substr(0, authority_end));
  if (!host_port.ok()) return host_port.status().Annotate("bad URL");
  const uint16_t default_port = url.tls() ? 443 : 80;
  url.host = std::move(host_port->host);
  url.port = host_port->port.value_or(default_port);
  const std::string host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  url.authority = fmt::format("{}:{}", host, url.port);
  url.host_header = url.port == default_port ? host : url.authority;
  std::string_view target = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  target = target.substr(0, target.find('#'));
  url.target = target.empty() || target[0] != '/' ? "/" + std::string(target) : std::string(target);
  return url;
}

}  // namespace renkei::http
