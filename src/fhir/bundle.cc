#include "fhir/bundle.h"

#include "text/base64.h"

namespace renkei::fhir {

nlohmann::json CollectionBundle(std::vector<nlohmann::json> resources, std::string_view timestamp) {
  nlohmann::json entries = nlohmann::json::array();
  for (nlohmann::json& r : resources) entries.push_back({{"resource", std::move(r)}});
  nlohmann::json b = {{"resourceType", "Bundle"}, {"type", "collection"}, {"timestamp", timestamp}};
  if (!entries.empty()) b["entry"] = std::move(entries);
  return b;
}

nlohmann::json BinaryResource(std::string_view id, std::string_view content_type, std::string_view bytes) {
  nlohmann::json b = {{"resourceType", "Binary"}, {"id", id}, {"contentType", content_type}};
  if (!bytes.empty()) b["data"] = text::Base64Encode(bytes);
  return b;
}

}  // namespace renkei::fhir
