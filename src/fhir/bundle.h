// FHIR Bundles: what `renkei edge export` writes and what an upload reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace renkei::fhir {

// A Bundle of type "collection" holding `resources` in order, stamped with `timestamp`
// (a FHIR instant).
nlohmann::json CollectionBundle(std::vector<nlohmann::json> resources, std::string_view timestamp);

// A Binary resource carrying a document's bytes.
nlohmann::json BinaryResource(std::string_view id, std::string_view content_type, std::string_view bytes);

}  // namespace renkei::fhir
