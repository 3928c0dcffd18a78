#include "fhir/bundle.h"

#include <cstdint>

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
  if (!bytes.empty()) b["data"] = Base64(bytes);
  return b;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}


}  // namespace renkei::fhir
