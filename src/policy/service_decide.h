// The decision point for the service-provider gateway (seed 000): whether a service may receive
// a facility's data, and which of it — one pure function that every service path asks (change
// notifications when they are fanned out and again when their data is delivered, a service's
// request for a patient's data, a write-back and its answer), so that the rule lives in one
// place and every decision can be put on the audit trail with its rule and reason.
//
// What it decides on, as the operator set it (gateway/registry.h keeps it):
//   * the service: registered and enabled or not;
//   * the connection permission matrix: a row (facility × service) connects them or there is none;
//   * the type information of that row: which FHIR resource types the service may receive from
//     that facility ("Patient" stands for the patient's demographics), each with all of its
//     top-level elements or only those listed.
//
// The rule (default deny; the first that applies decides):
//   1. the service is disabled                                           → deny  "service-disabled"
//   2. the answer to a write-back, for the service that sent it          → allow "sender", its
//      (seed 000 step S37: the sender is always permitted to receive it)   types (no types: nothing)
//   3. no row of the matrix connects the facility and the service        → deny  "not-connected"
//   4. a write-back                                                      → allow "matrix"
//   5. the row allows no type                                            → deny  "no-types"
//   6. a notification of a change to data of a type the row does not list → deny "type-not-allowed"
//   7. otherwise                                                         → allow "matrix", with
//      the row's types (a request for named types gets only those of them the row lists)
// The patient's consent to the regional exchange (policy/decide.h) does not govern these flows:
// a service works for the facility under the facility's own contract, as the facility's EMR
// vendor does; the matrix is the facility's and the operator's choice of what leaves for it.
//
// Thread-safe (a pure function); allocates only the Decision's vectors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::policy {

// One resource type a service may receive, with the top-level elements it may see of it.
struct TypeRule {
  std::string type;                   // a FHIR resource type, "Patient" for demographics
  std::vector<std::string> elements;  // empty: every element
  bool operator==(const TypeRule&) const = default;
};

enum class ServicePurpose {
  kNotify,       // a change notification (and, in data mode, the changed data)
  kRequest,      // the service asks for a patient's data (use case 1, S102-S108)
  kWrite,        // the service writes new data into the facility's record (operation example 4)
  kWriteAnswer,  // what the facility extracted for the service after its write (S35-S38)
};
std::string_view ServicePurposeName(ServicePurpose p);  // "notify", "request", "write", "write-answer"

struct ServiceQuestion {
  std::string service;   // the service's name, for the reasons
  bool enabled = true;
  std::string facility;
  // The matrix row for (facility, service): its types; nullopt when none connects them.
  std::optional<std::vector<TypeRule>> row;
  ServicePurpose purpose = ServicePurpose::kNotify;
  std::string changed_type;          // kNotify: the resource type of the change
  std::vector<std::string> wanted;   // kRequest: the types asked for (empty: all allowed)
  bool sender = false;               // kWriteAnswer: the service sent the write
  std::vector<TypeRule> sender_types;  // kWriteAnswer without a row: none (see rule 2)
};

struct ServiceDecision {
  bool allowed = false;
  std::string rule;    // "service-disabled", "sender", "not-connected", "matrix", "no-types", "type-not-allowed"
  std::string reason;  // one sentence, for operators and the audit trail
  std::vector<TypeRule> types;  // allowed: what may flow, sorted by type
};

ServiceDecision DecideService(const ServiceQuestion& question);

}  // namespace renkei::policy
