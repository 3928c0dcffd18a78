// Internal to http/: what the server and the client share in dealing with Boost.Beast's
// messages. Boost 1.74's Beast speaks boost::string_view, the rest of Renkei std::string_view.
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include <boost/beast/core/string.hpp>

namespace renkei::http {

inline boost::beast::string_view ToBeast(std::string_view text) { return {text.data(), text.size()}; }
inline std::string_view FromBeast(boost::beast::string_view text) { return {text.data(), text.size()}; }

// The header fields of a Beast message with lower-case names; the values of a name sent more
// than once joined by ", " (RFC 9110 5.3).
template <typename Fields>
std::map<std::string, std::string> LowerCaseHeaders(const Fields& fields) {
  std::map<std::string, std::string> headers;
  for (const auto& field : fields) {
    std::string name(FromBeast(field.name_string()));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string_view value = FromBeast(field.value());
    auto [it, inserted] = headers.try_emplace(std::move(name), value);
    if (!inserted) it->second.append(", ").append(value);
  }
  return headers;
}

}  // namespace renkei::http
