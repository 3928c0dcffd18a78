#include "audit/event.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <iterator>

#include <fmt/format.h>
#include <simdjson.h>

#include "text/iso2022jp.h"

namespace renkei::audit {
namespace {

// The version of the canonical text's layout, written as "v". A reader refuses others.
constexpr int64_t kVersion = 1;

// 9999-12-31T23:59:59.999Z: times beyond cannot be written as four-digit years.
constexpr int64_t kMaxTimeMs = 253402300799999;

Status CheckText(std::string_view field, std::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return ResourceExhausted(fmt::format("{}: {} bytes, at most {}", field, value.size(), max_bytes));
  }
  if (Status s = text::ValidateUtf8(value); !s.ok()) return s.Annotate(field);
  return Status::Ok();
}

Status CheckList(std::string_view field, const std::vector<std::string>& items) {
  if (items.size() > kMaxDataItems) {
    return ResourceExhausted(fmt::format("{}: {} items, at most {}", field, items.size(), kMaxDataItems));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    RENKEI_RETURN_IF_ERROR(CheckText(fmt::format("{}[{}]", field, i), items[i], kMaxNameBytes));
  }
  return Status::Ok();
}

bool ValidActionName(std::string_view action) {
  if (action.empty()) return false;
  for (char c : action) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

// Appends `s` as a JSON string: quotes, backslashes and control characters escaped (the short
// forms where JSON has them, else \u00XX), every other byte as it is (the text is UTF-8).
void AppendString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet appended
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// Appends `"key":"value"` (and a comma before it unless `first`).
void AppendMember(std::string& out, std::string_view key, std::string_view value, bool first = false) {
  if (!first) out.push_back(',');
  AppendString(out, key);
  out.push_back(':');
  AppendString(out, value);
}

void AppendList(std::string& out, std::string_view key, const std::vector<std::string>& items, bool first = false) {
  if (!first) out.push_back(',');
  AppendString(out, key);
  out += ":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendString(out, items[i]);
  }
  out.push_back(']');
}

// Reading a text back: the value of each key, checked against the type CanonicalText gives it.
// InvalidArgument naming the key otherwise.
Status ReadString(simdjson::dom::element value, std::string_view path, std::string* out) {
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return InvalidArgument(fmt::format("{} is not a string", path));
  out->assign(s);
  return Status::Ok();
}

Status ReadList(simdjson::dom::element value, std::string_view path, std::vector<std::string>* out) {
  simdjson::dom::array items;
  if (value.get_array().get(items) != simdjson::SUCCESS) return InvalidArgument(fmt::format("{} is not a list", path));
  out->clear();
  for (simdjson::dom::element item : items) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      return InvalidArgument(fmt::format("{} holds a value that is not a string", path));
    }
    out->emplace_back(s);
  }
  return Status::Ok();
}

// Calls `read(index, value)` for each member of `object`, where index is the member's key's
// position in `keys`; InvalidArgument when `value` is not an object, a key is unknown or
// repeated, or one is missing.
template <size_t N, typename ReadFn>
Status ReadObject(simdjson::dom::element value, std::string_view what, const std::array<std::string_view, N>& keys,
                  ReadFn read) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return InvalidArgument(fmt::format("{} is not an object", what));
  std::array<bool, N> seen{};
  for (simdjson::dom::key_value_pair member : object) {
    const auto it = std::find(keys.begin(), keys.end(), member.key);
    if (it == keys.end()) return InvalidArgument(fmt::format("{} has an unknown key \"{}\"", what, member.key));
    const size_t index = static_cast<size_t>(it - keys.begin());
    if (seen[index]) return InvalidArgument(fmt::format("{} has the key \"{}\" twice", what, member.key));
    seen[index] = true;
    RENKEI_RETURN_IF_ERROR(read(index, member.value));
  }
  for (size_t i = 0; i < N; ++i) {
    if (!seen[i]) return InvalidArgument(fmt::format("{} lacks the key \"{}\"", what, keys[i]));
  }
  return Status::Ok();
}

}  // namespace

std::string_view DecisionName(Decision d) { return d == Decision::kDeny ? "deny" : "allow"; }

std::optional<Decision> ParseDecision(std::string_view name) {
  if (name == "allow") return Decision::kAllow;
  if (name == "deny") return Decision::kDeny;
  return std::nullopt;
}

Status Validate(const Event& e) {
  if (e.time_ms < 0 || e.time_ms > kMaxTimeMs) {
    return InvalidArgument(fmt::format("time: {} is not a time between 1970 and 9999 in milliseconds", e.time_ms));
  }
  if (e.action.size() > kMaxActionBytes) {
    return ResourceExhausted(fmt::format("action: {} bytes, at most {}", e.action.size(), kMaxActionBytes));
  }
  if (!ValidActionName(e.action)) {
    return InvalidArgument("action: must be 1 or more of a-z 0-9 . _ - (e.g. \"chart.view\")");
  }
  RENKEI_RETURN_IF_ERROR(CheckText("who.name", e.who.name, kMaxNameBytes));
  RENKEI_RETURN_IF_ERROR(CheckText("who.role", e.who.role, kMaxCodeBytes));
  RENKEI_RETURN_IF_ERROR(CheckText("who.facility", e.who.facility, kMaxCodeBytes));
  RENKEI_RETURN_IF_ERROR(CheckText("patient", e.patient, kMaxCodeBytes));
  RENKEI_RETURN_IF_ERROR(CheckList("data.types", e.data.types));
  RENKEI_RETURN_IF_ERROR(CheckList("data.resources", e.data.resources));
  RENKEI_RETURN_IF_ERROR(CheckList("data.facilities", e.data.facilities));
  RENKEI_RETURN_IF_ERROR(CheckText("purpose", e.purpose, kMaxCodeBytes));
  RENKEI_RETURN_IF_ERROR(CheckText("reason", e.reason, kMaxReasonBytes));
  RENKEI_RETURN_IF_ERROR(CheckText("basis", e.basis, kMaxNameBytes));
  RENKEI_RETURN_IF_ERROR(CheckText("remote", e.remote, kMaxNameBytes));
  RENKEI_RETURN_IF_ERROR(CheckText("request_id", e.request_id, kMaxNameBytes));
  if (e.decision == Decision::kDeny && e.reason.empty()) return InvalidArgument("reason: a deny needs a reason");
  return Status::Ok();
}

StatusOr<std::string> CanonicalText(const Event& e) {
  RENKEI_RETURN_IF_ERROR(Validate(e));
  // Written by hand, keys in byte order at every level, no whitespace: a few times faster than
  // building a JSON document, and this runs for every entry appended.
  std::string out;
  out.reserve(320 + e.reason.size());
  out.push_back('{');
  AppendMember(out, "action", e.action, /*first=*/true);
  AppendMember(out, "basis", e.basis);
  out += R"(,"data":{)";
  AppendList(out, "facilities", e.data.facilities, /*first=*/true);
  AppendList(out, "resources", e.data.resources);
  AppendList(out, "types", e.data.types);
  out.push_back('}');
  AppendMember(out, "decision", DecisionName(e.decision));
  AppendMember(out, "patient", e.patient);
  AppendMember(out, "purpose", e.purpose);
  AppendMember(out, "reason", e.reason);
  AppendMember(out, "remote", e.remote);
  AppendMember(out, "request", e.request_id);
  fmt::format_to(std::back_inserter(out), R"(,"time":{},"v":{},"who":{{)", e.time_ms, kVersion);
  AppendMember(out, "facility", e.who.facility, /*first=*/true);
  AppendMember(out, "name", e.who.name);
  AppendMember(out, "role", e.who.role);
  out += "}}";
  if (out.size() > kMaxEntryBytes) {
    return ResourceExhausted(fmt::format("the entry is {} bytes, at most {}", out.size(), kMaxEntryBytes));
  }
  return out;
}

StatusOr<Event> ParseEvent(std::string_view text) {
  if (text.size() > kMaxEntryBytes) {
    return InvalidArgument(fmt::format("the entry is {} bytes, at most {}", text.size(), kMaxEntryBytes));
  }
  // One parser per thread, reused: Verify and List read every entry.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return InvalidArgument("the entry is not JSON");
  }
  static constexpr std::array<std::string_view, 12> kKeys{"action", "basis",  "data",    "decision",
                                                           "patient", "purpose", "reason", "remote",
                                                           "request", "time",  "v",       "who"};
  static constexpr std::array<std::string_view, 3> kDataKeys{"facilities", "resources", "types"};
  static constexpr std::array<std::string_view, 3> kWhoKeys{"facility", "name", "role"};
  Event e;
  std::string decision;
  Status s = ReadObject(root, "the entry", kKeys, [&](size_t key, simdjson::dom::element value) -> Status {
    switch (key) {
      case 0: return ReadString(value, "action", &e.action);
      case 1: return ReadString(value, "basis", &e.basis);
      case 2:
        return ReadObject(value, "data", kDataKeys, [&](size_t list, simdjson::dom::element items) {
          static constexpr std::string_view kPaths[] = {"data.facilities", "data.resources", "data.types"};
          std::vector<std::string>* const kLists[] = {&e.data.facilities, &e.data.resources, &e.data.types};
          return ReadList(items, kPaths[list], kLists[list]);
        });
      case 3: return ReadString(value, "decision", &decision);
      case 4: return ReadString(value, "patient", &e.patient);
      case 5: return ReadString(value, "purpose", &e.purpose);
      case 6: return ReadString(value, "reason", &e.reason);
      case 7: return ReadString(value, "remote", &e.remote);
      case 8: return ReadString(value, "request", &e.request_id);
      case 9:
        if (value.get_int64().get(e.time_ms) != simdjson::SUCCESS) return InvalidArgument("time is not an integer");
        return Status::Ok();
      case 10: {
        int64_t version = 0;
        if (value.get_int64().get(version) != simdjson::SUCCESS || version != kVersion) {
          return InvalidArgument(fmt::format("the entry's version v is not {}", kVersion));
        }
        return Status::Ok();
      }
      default:
        return ReadObject(value, "who", kWhoKeys, [&](size_t field, simdjson::dom::element v) {
          static constexpr std::string_view kPaths[] = {"who.facility", "who.name", "who.role"};
          std::string* const kFields[] = {&e.who.facility, &e.who.name, &e.who.role};
          return ReadString(v, kPaths[field], kFields[field]);
        });
    }
  });
  RENKEI_RETURN_IF_ERROR(s);
  const std::optional<Decision> d = ParseDecision(decision);
  if (!d) return InvalidArgument(fmt::format("decision \"{}\" is neither allow nor deny", decision));
  e.decision = *d;
  RENKEI_RETURN_IF_ERROR(Validate(e));
  return e;
}

std::string FormatTime(int64_t time_ms) {
  const std::time_t secs = static_cast<std::time_t>(time_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, time_ms % 1000);
}

StatusOr<int64_t> ParseTime(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgument(fmt::format(
        "\"{}\" is not a time: use 2026-11-21, 2026-11-21T05:59:01Z (UTC) or milliseconds since 1970", text));
  };
  int64_t ms = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
      ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
    if (ms < 0 || ms > kMaxTimeMs) return bad();
    return ms;
  }
  // YYYY-MM-DD, then optionally Thh:mm:ss, .fff and a final Z.
  size_t pos = 0;
  const auto number = [&](size_t digits, int* out) {
    if (pos + digits > text.size()) return false;
    int value = 0;
    for (size_t i = 0; i < digits; ++i) {
      const char c = text[pos + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    pos += digits;
    *out = value;
    return true;
  };
  const auto literal = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  std::tm tm{};
  int year = 0, month = 0, day = 0, millis = 0;
  if (!number(4, &year) || !literal('-') || !number(2, &month) || !literal('-') || !number(2, &day)) return bad();
  if (pos < text.size()) {
    if (!literal('T') || !number(2, &tm.tm_hour) || !literal(':') || !number(2, &tm.tm_min) || !literal(':') ||
        !number(2, &tm.tm_sec)) {
      return bad();
    }
    if (pos < text.size() && text[pos] == '.' && (++pos, !number(3, &millis))) return bad();
    if (!literal('Z') || pos != text.size()) return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  const std::time_t secs = timegm(&tm);
  if (secs < 0 || tm.tm_mday != day) return bad();  // timegm normalises 31 February to March
  return static_cast<int64_t>(secs) * 1000 + millis;
}

}  // namespace renkei::audit
