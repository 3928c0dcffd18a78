// Type information (seed 000, claim 4 and figure 9): per facility and service, which FHIR
// resource types the service may receive and which top-level elements of each — read from and
// written as the JSON operators send (gateway/registry.h keeps it, policy/service_decide.h
// decides with it, filter.h applies it):
//   [{"type": "Patient", "elements": ["name", "birthDate"]}, {"type": "Encounter"}, ...]
// An absent or empty "elements" means every element. "Patient" stands for the patient's
// demographics. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "policy/service_decide.h"

namespace renkei::gateway {

constexpr size_t kMaxTypes = 64;
constexpr size_t kMaxElements = 100;

// How a service is told of a change at a facility it is connected to.
enum class NotifyMode {
  kNone,    // not at all (it may still ask, and write)
  kSignal,  // "something changed": the change's reference and type, no clinical content
  kData,    // the changed data itself, filtered to the service's types and elements
};
std::string_view NotifyModeName(NotifyMode m);          // "none", "signal", "data"
StatusOr<NotifyMode> ParseNotifyMode(std::string_view name);  // InvalidArgument naming the modes

// The rules of `j` (an array as above), sorted by type. InvalidArgument naming the bad item: not
// an array, more than kMaxTypes, a type that is not a FHIR resource type name ([A-Z][A-Za-z]*,
// at most 64), a type twice, elements not an array of element names ([a-z][A-Za-z0-9]*, at most
// 64) or more than kMaxElements of them, another member.
StatusOr<std::vector<policy::TypeRule>> ParseTypes(const nlohmann::json& j);
nlohmann::json TypesJson(const std::vector<policy::TypeRule>& types);

}  // namespace renkei::gateway
