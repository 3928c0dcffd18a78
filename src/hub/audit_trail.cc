#include "hub/audit_trail.h"

#include <fmt/format.h>

namespace renkei::hub {
namespace {

// v3 PurposeOfUse: treatment, emergency treatment (break-glass), operations (the region's
// operators; and service providers, whose reception, reservations and questionnaires run the
// facility's operations), the patient's or their family's (a proxy's) request.
std::string PurposeOf(const Principal& who, const AccessDecision& d) {
  if (who.role == Role::kOperator || who.role == Role::kService) return "HOPERAT";
  if (who.role == Role::kPatient) return who.proxy ? "FAMRQT" : "PATRQT";
  return d.rule == "break-glass" ? "ETREAT" : "TREAT";
}

}  // namespace

audit::Log::Pending BeginAccess(audit::Log& trail, const Principal& who, const RequestContext& from,
                                const AccessDecision& d) {
  audit::Event e;
  e.action = d.action;
  e.who = {who.name, std::string(RoleName(who.role)), who.facility};
  e.patient = d.regional_id;
  e.data.facilities = d.facilities;
  e.data.resources = d.resources;
  e.purpose = PurposeOf(who, d);
  e.decision = d.allowed ? audit::Decision::kAllow : audit::Decision::kDeny;
  e.reason = d.rule.empty() ? d.reason : d.reason.empty() ? d.rule : fmt::format("{}: {}", d.rule, d.reason);
  e.basis = d.basis;
  e.remote = from.remote;
  e.request_id = from.id;
  return trail.Begin(e);
}

Status Recorded(audit::Log::Pending& entry, std::string_view action) {
  if (auto seq = entry.Wait(); !seq.ok()) {
    return Unavailable(fmt::format("the audit trail could not record this {} ({}); nothing was disclosed or changed",
                                   action, seq.status().message()));
  }
  return Status::Ok();
}

Status RecordAccess(audit::Log& trail, const Principal& who, const RequestContext& from, const AccessDecision& d) {
  audit::Log::Pending entry = BeginAccess(trail, who, from, d);
  return Recorded(entry, d.action);
}

}  // namespace renkei::hub
