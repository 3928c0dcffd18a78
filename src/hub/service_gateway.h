// The hub's side of the service-provider gateway (seed 000): how changes at the facilities
// become notifications, and how a service's exchange reaches a facility's edge. The routes are
// in service_api.h; the parts without the hub (register, outbox, deliverer, filter) in gateway/;
// the decision in policy/service_decide.h.
//
// Change notification (operation examples 1-3): an edge pushes its changes (edge/hub_link.h
// "changes"); TakeChanges asks the decision point, for each change and each service the matrix
// subscribes to that facility, whether the service may hear of it (its type information), puts
// every decision on the audit trail (action "service.notify") and waits for them, then writes
// the allowed notifications to the outbox in one durable transaction, wakes the deliverer and
// only then answers the edge, which advances its cursor. A crash before the answer makes the
// edge push again; the outbox writes each notification once.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "gateway/deliverer.h"
#include "gateway/outbox.h"
#include "gateway/registry.h"
#include "hub/audit_trail.h"
#include "hub/services.h"
#include "policy/service_decide.h"

namespace renkei::hub {

constexpr size_t kMaxChangesPerPush = 500;

// The edge op "changes" from `facility`'s edge:
//   {"changes":[{"seq","kind","patient_id","record_id","data_type","event_type",
//                "resource_types":[...],"at"}...]} → {"through": the last seq, "notifications": new rows}
// InvalidArgument naming the first malformed change (nothing of the batch is taken);
// ResourceExhausted over kMaxChangesPerPush; Unavailable when the audit trail or the outbox
// failed (the edge pushes again).
StatusOr<nlohmann::json> TakeChanges(const HubServices& hub, const std::string& facility, const nlohmann::json& args);

// Asks `facility`'s edge `op` with `args` (a nonce added) and waits up to `timeout`: the
// answer's body, checked to come from that facility for this request. Unavailable when the
// edge is offline or silent; the edge's own errors as it answered them.
StatusOr<nlohmann::json> AskEdge(EdgeRegistry& edges, const std::string& facility, std::string_view op, nlohmann::json args,
                                 std::chrono::milliseconds timeout);

// The deliverer's fetch (gateway/deliverer.h): a data-mode delivery's entries from its edge
// ("record": the changed record's resources, or the patient's demographics).
StatusOr<nlohmann::json> FetchChangeData(EdgeRegistry& edges, const gateway::Delivery& d);

// The deliverer's audit (gateway/deliverer.h): a delivery's decision at delivery time, on the
// trail as "service.deliver" by the service. A failure to record is logged by the trail's
// caller: the data has reached the service by then (the decision to send it was recorded at
// fan-out, "service.notify").
Status RecordDelivery(audit::Log& trail, const gateway::Delivery& d, const gateway::Service& service,
                      const policy::ServiceDecision& decision);

// The deliverer's sender: POSTs a webhook over HTTP(S) (`tls` for https://, e.g.
// pki::PublicClientContext; null refuses them)
// within 10 s, keeping connections to the services' hosts open between deliveries (a pool of
// clients per scheme, host and port). Thread-safe.
std::function<StatusOr<int>(const gateway::WebhookRequest&)> WebhookSender(std::shared_ptr<boost::asio::ssl::context> tls);

// A decision on a service's exchange as the audit trail records it: by the service, about the
// patient at `facility`, with the decision's rule and reason.
AccessDecision ServiceAccess(std::string action, const std::string& regional_id, const std::string& facility,
                             std::vector<std::string> resources, const policy::ServiceDecision& decision);

}  // namespace renkei::hub
