#include "fhir/json_text.h"

#include <fmt/format.h>

namespace renkei::fhir {
namespace {

using nlohmann::json;

// Line and column (1-based, columns in bytes) of a byte offset.
std::pair<size_t, size_t> LineColumn(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

Status CheckNesting(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        auto [line, column] = LineColumn(text, i);
        return InvalidArgument(fmt::format("nesting deeper than {} levels at line {}, column {}", max_depth, line, column));
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

// Records the first syntax error of a SAX parse; accepts every value.
class ErrorCatcher : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    message = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the tag.
    if (const size_t tag_end = message.find("] "); message.starts_with("[json.exception") && tag_end != std::string::npos) {
      message = message.substr(tag_end + 2);
    }
    return false;
  }
  std::string message;
};

}  // namespace

StatusOr<json> ParseJsonText(std::string_view text, size_t max_depth) {
  RENKEI_RETURN_IF_ERROR(CheckNesting(text, max_depth));
  ErrorCatcher catcher;
  if (!json::sax_parse(text, &catcher) || !catcher.message.empty()) {
    return InvalidArgument("not JSON: " + (catcher.message.empty() ? std::string("unreadable") : catcher.message));
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return InvalidArgument("not JSON");
  return value;
}

std::string JsonText(const json& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace renkei::fhir
