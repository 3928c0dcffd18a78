// What the hub's API and the one chart work with; everything must outlive them.
#pragma once

#include "audit/log.h"
#include "gateway/deliverer.h"
#include "gateway/outbox.h"
#include "gateway/registry.h"
#include "hub/access.h"
#include "hub/edges.h"
#include "hub/facility_directory.h"
#include "hub/patient_index.h"
#include "identity/user_store.h"
#include "policy/consent_store.h"

namespace renkei::hub {

struct HubServices {
  PatientIndex& index;
  const Credentials& credentials;
  EdgeRegistry& edges;
  audit::Log& audit;  // every access and every change of consent or override (audit_trail.h)
  policy::ConsentStore& consents;
  identity::UserStore& users;  // people's accounts and sessions
  FacilityDirectory& facilities;  // the region's facilities, by code
  gateway::Registry& services;     // service providers, the permission matrix, their tokens
  gateway::Outbox& outbox;         // change notifications waiting for delivery
  gateway::Deliverer& deliverer;   // woken when the outbox takes new notifications
  // The operators' tools; each "" when this hub does not offer it:
  std::string audit_url = "";  // the audit trail's database, for POST /v1/audit/verify
  std::string ca_pem = "";     // the regional CA's certificate, to check the trail's signed heads
  std::string ca_dir = "";     // the regional CA's directory (pki/ca.h), to issue and revoke certificates
};

}  // namespace renkei::hub
