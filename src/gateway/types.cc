#include "gateway/types.h"

#include <algorithm>

#include <fmt/format.h>

namespace renkei::gateway {
namespace {

using nlohmann::json;

bool Name(const std::string& s, bool upper_first) {
  if (s.empty() || s.size() > 64) return false;
  if (upper_first ? !(s[0] >= 'A' && s[0] <= 'Z') : !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!upper_first && c >= '0' && c <= '9');
  });
}

}  // namespace

std::string_view NotifyModeName(NotifyMode m) {
  switch (m) {
    case NotifyMode::kNone: return "none";
    case NotifyMode::kSignal: return "signal";
    case NotifyMode::kData: return "data";
  }
  return "?";
}

StatusOr<NotifyMode> ParseNotifyMode(std::string_view name) {
  for (NotifyMode m : {NotifyMode::kNone, NotifyMode::kSignal, NotifyMode::kData}) {
    if (NotifyModeName(m) == name) return m;
  }
  return InvalidArgument("a notification mode is none, signal or data");
}

StatusOr<std::vector<policy::TypeRule>> ParseTypes(const json& j) {
  if (!j.is_array()) return InvalidArgument("'types' must be an array of {\"type\", \"elements\"}");
  if (j.size() > kMaxTypes) return InvalidArgument(fmt::format("'types': at most {} types", kMaxTypes));
  std::vector<policy::TypeRule> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const json& item = j[i];
    const auto bad = [&](std::string_view what) { return InvalidArgument(fmt::format("'types'[{}]: {}", i, what)); };
    if (!item.is_object()) return bad("not an object");
    for (const auto& [key, value] : item.items()) {
      if (key != "type" && key != "elements") return bad(fmt::format("unknown member '{}'", key.substr(0, 40)));
    }
    if (!item.contains("type") || !item["type"].is_string() || !Name(item["type"].get<std::string>(), true)) {
      return bad("'type' must be a FHIR resource type such as Encounter");
    }
    policy::TypeRule rule{item["type"].get<std::string>(), {}};
    if (std::any_of(out.begin(), out.end(), [&](const policy::TypeRule& r) { return r.type == rule.type; })) {
      return bad(fmt::format("{} is listed twice", rule.type));
    }
    if (item.contains("elements") && !item["elements"].is_null()) {
      const json& elements = item["elements"];
      if (!elements.is_array()) return bad("'elements' must be an array of element names");
      if (elements.size() > kMaxElements) return bad(fmt::format("at most {} elements", kMaxElements));
      for (const json& e : elements) {
        if (!e.is_string() || !Name(e.get<std::string>(), false)) return bad("'elements' holds a malformed element name");
        rule.elements.push_back(e.get<std::string>());
      }
      std::sort(rule.elements.begin(), rule.elements.end());
      rule.elements.erase(std::unique(rule.elements.begin(), rule.elements.end()), rule.elements.end());
    }
    out.push_back(std::move(rule));
  }
  std::sort(out.begin(), out.end(), [](const policy::TypeRule& a, const policy::TypeRule& b) { return a.type < b.type; });
  return out;
}

json TypesJson(const std::vector<policy::TypeRule>& types) {
  json out = json::array();
  for (const policy::TypeRule& t : types) {
    json j = {{"type", t.type}};
    if (!t.elements.empty()) j["elements"] = t.elements;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace renkei::gateway
