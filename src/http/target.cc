#include "http/target.h"

#include <fmt/format.h>

#include "text/iso2022jp.h"

namespace renkei::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

enum class Part { kPath, kQuery };

// Decodes `text`, which starts at byte `offset` of the target.
StatusOr<std::string> Decode(std::string_view text, size_t offset, Part part) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t at = offset + i;
    char c = text[i];
    if (c == '%') {
      const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) return InvalidArgument(fmt::format("malformed percent-encoding at byte {}", at));
      c = static_cast<char>(high * 16 + low);
      if (c == '/' && part == Part::kPath) {
        return InvalidArgument(fmt::format("encoded '/' at byte {}: not allowed in a path", at));
      }
      i += 2;
    } else if (c == '+' && part == Part::kQuery) {
      c = ' ';
    }
    if (IsControl(static_cast<unsigned char>(c))) {
      return InvalidArgument(fmt::format("control character at byte {}", at));
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

StatusOr<Target> ParseTarget(std::string_view target) {
  if (target.empty() || target[0] != '/') return InvalidArgument("the request target must begin with '/'");
  const size_t question = target.find('?');
  Target result;
  RENKEI_ASSIGN_OR_RETURN(result.path, Decode(target.substr(0, question), 0, Part::kPath));
  if (Status utf8 = text::ValidateUtf8(result.path); !utf8.ok()) return utf8.Annotate("the path is not UTF-8");
  // No '/' was decoded, so the decoded segments are the sent ones.
  for (size_t begin = 1; begin <= result.path.size();) {
    const size_t end = std::min(result.path.find('/', begin), result.path.size());
    const std::string_view segment = std::string_view(result.path).substr(begin, end - begin);
    if (segment == "." || segment == "..") return InvalidArgument("dot segment in the path");
    begin = end + 1;
  }
  if (question == std::string_view::npos) return result;

  size_t begin = question + 1;
  while (begin <= target.size()) {
    const size_t end = std::min(target.find('&', begin), target.size());
    const std::string_view pair = target.substr(begin, end - begin);
    if (!pair.empty()) {
      const size_t equals = pair.find('=');
      RENKEI_ASSIGN_OR_RETURN(std::string name, Decode(pair.substr(0, equals), begin, Part::kQuery));
      std::string value;
      if (equals != std::string_view::npos) {
        RENKEI_ASSIGN_OR_RETURN(value, Decode(pair.substr(equals + 1), begin + equals + 1, Part::kQuery));
      }
      if (!text::ValidateUtf8(name).ok() || !text::ValidateUtf8(value).ok()) {
        return InvalidArgument(fmt::format("the query is not UTF-8 (the pair at byte {})", begin));
      }
      result.query.emplace(std::move(name), std::move(value));
    }
    begin = end + 1;
  }
  return result;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

}  // namespace renkei::http
