// What a service receives of a facility's data: the resources an edge extracted, cut down to
// the types and top-level elements the decision point allowed (policy/service_decide.h) — the
// last step before anything leaves the hub for a service (seed 000 steps S24, S104, S116, S37).
//
// The entries are as the edges answer them (edge/answers.h):
//   [{"reference", "record_id", "event_type", "occurred_at", "status", "resource": {...}}, ...]
// An entry is kept when its resource's resourceType is allowed; of a type allowed with listed
// elements, the resource keeps resourceType, id and meta and those elements only. Entries that
// are not objects or hold no resource object are dropped (an edge's answer is not trusted to be
// well formed). Pure; thread-safe.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "policy/service_decide.h"

namespace renkei::gateway {

struct Filtered {
  nlohmann::json entries = nlohmann::json::array();
  size_t withheld = 0;  // entries left out (a type not allowed, or malformed)
};

Filtered FilterEntries(const nlohmann::json& entries, const std::vector<policy::TypeRule>& allowed);

}  // namespace renkei::gateway
