// Inspecting one file of an SS-MIX2 tree: its path, its encoding, its HL7 message and
// the consistency between them. Pure: the caller reads the bytes and decides, with a
// SeverityPolicy, whether the file is imported or quarantined.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ssmix2/defect.h"
#include "ssmix2/path.h"
#include "ssmix2/patient.h"

namespace renkei::ssmix2 {

struct InspectOptions {
  size_t max_message_bytes = 16u << 20;  // larger files are kTooLarge
};

// What a file is and what is wrong with it.
struct Inspection {
  StoragePath path;
  std::string decoded;                      // UTF-8 text (empty for extended-storage content or when undecodable)
  std::string message_type;                 // MSH-9 as "RDE^O11" when parsed
  std::optional<Demographics> demographics; // for ADT-00 messages that parsed
  std::vector<Defect> defects;              // every defect found, in the order checked
};

// Inspects the file at `relative` (relative to the storage root) with content `bytes`.
// Extended-storage content (documents, images) is opaque: only its path is checked.
Inspection Inspect(std::string_view relative, std::string_view bytes, const InspectOptions& options = {});

}  // namespace renkei::ssmix2
