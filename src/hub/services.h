// What the hub's API and the one chart work with; everything must outlive them.
#pragma once

#include "hub/access.h"
#include "hub/access_log.h"
#include "hub/edges.h"
#include "hub/patient_index.h"
#include "policy/consent_store.h"

namespace renkei::hub {

struct HubServices {
  PatientIndex& index;
  const Credentials& credentials;
  EdgeRegistry& edges;
  AccessLog& access_log;
  policy::ConsentStore& consents;
};

}  // namespace renkei::hub
