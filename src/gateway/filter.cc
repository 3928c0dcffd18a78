#include "gateway/filter.h"

#include <algorithm>

namespace renkei::gateway {

Filtered FilterEntries(const nlohmann::json& entries, const std::vector<policy::TypeRule>& allowed) {
  Filtered out;
  if (!entries.is_array()) return out;
  for (const nlohmann::json& entry : entries) {
    const nlohmann::json* resource = entry.is_object() && entry.contains("resource") ? &entry["resource"] : nullptr;
    const auto type = resource && resource->is_object() ? resource->find("resourceType") : nlohmann::json::const_iterator();
    if (!resource || !resource->is_object() || type == resource->end() || !type->is_string()) {
      ++out.withheld;
      continue;
    }
    const auto rule = std::find_if(allowed.begin(), allowed.end(),
                                   [&](const policy::TypeRule& r) { return r.type == type->get_ref<const std::string&>(); });
    if (rule == allowed.end()) {
      ++out.withheld;
      continue;
    }
    nlohmann::json kept = entry;
    if (!rule->elements.empty()) {
      nlohmann::json cut = nlohmann::json::object();
      for (const auto& [name, value] : resource->items()) {
        if (name == "resourceType" || name == "id" || name == "meta" ||
            std::find(rule->elements.begin(), rule->elements.end(), name) != rule->elements.end()) {
          cut[name] = value;
        }
      }
      kept["resource"] = std::move(cut);
    }
    out.entries.push_back(std::move(kept));
  }
  return out;
}

}  // namespace renkei::gateway
