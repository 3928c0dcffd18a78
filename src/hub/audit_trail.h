// What the hub puts on its audit trail (audit/log.h): each decision on a person's data and each
// change of their consent or of an override, as an audit::Event shaped for FHIR AuditEvent /
// IHE BALP (audit/event.h) — never the operational log, which holds no patient identifiers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/log.h"
#include "base/status.h"
#include "hub/access.h"

namespace renkei::hub {

// The HTTP request an access came in: its ID (to join with the server's log) and the peer.
struct RequestContext {
  std::string id;
  std::string remote;
};

struct AccessDecision {
  std::string action;       // "chart.view", "entity.read", "access.explain", "consent.change" ...
  std::string regional_id;  // the person, "" when unresolved
  std::vector<std::string> facilities;  // the facilities the data comes (or would come) from
  std::vector<std::string> resources;   // the resources touched: "Observation/…", "Consent/C12"
  bool allowed = true;
  std::string rule;    // the policy rule that decided (policy/decide.h), when one did
  std::string reason;  // why; required when denied
  std::string basis;   // the consent or override it rested on
};

// Appends `d` as done by `who` and waits until it is committed. The hub discloses nothing whose
// record failed: Unavailable then, saying the access was not recorded.
Status RecordAccess(audit::Log& trail, const Principal& who, const RequestContext& from, const AccessDecision& d);

// RecordAccess in two steps, so that the entry is committed while the hub gathers the data:
// BeginAccess queues it; Recorded waits for it (RecordAccess's result) and must be OK before
// anything is disclosed.
audit::Log::Pending BeginAccess(audit::Log& trail, const Principal& who, const RequestContext& from,
                                const AccessDecision& d);
Status Recorded(audit::Log::Pending& entry, std::string_view action);

}  // namespace renkei::hub
