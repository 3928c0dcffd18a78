// libFuzzer target: an uploaded FHIR Bundle read into record versions, and what the store
// later does with each entity (marking a lifecycle, serialising). Any crash, uncaught
// exception or sanitizer report is a bug, and so is an accepted entry whose entity does not
// carry the ID it is stored under.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/bundle_reader.h"
#include "fhir/summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace renkei;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto read = fhir::ReadBundle(text, "1234567890");
  if (!read.ok()) return 0;
  for (const fhir::BundleEntry& e : read->entries) {
    if (e.outcome != fhir::EntryOutcome::kAccepted) continue;
    const fhir::Entity& entity = e.mapping.entities.at(0);
    if (!entity.resource.is_object() || entity.resource["id"] != entity.id) __builtin_trap();
    nlohmann::json copy = entity.resource;
    fhir::ApplyLifecycle(copy, fhir::Lifecycle::kSuperseded, "X/1/_history/2");
    fhir::ApplyLifecycle(copy, fhir::Lifecycle::kDeleted);
    (void)copy.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    (void)fhir::SummarizeResource(nlohmann::json::parse(e.raw_resource, nullptr, false));
  }
  return 0;
}
