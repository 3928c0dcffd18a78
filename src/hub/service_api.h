// The hub's API for the service-provider gateway (seed 000): JSON over HTTPS, a connection per
// request (seed 000's second protocol), added to the router of api.h. Services authenticate
// with a client certificate of the regional CA (role service) or an OAuth2 access token;
// operators as in api.h. hub::Authorize (access.h) decides who may call each route; what a
// service may receive at a facility is decided by policy/service_decide.h, and every such
// decision is on the audit trail (actions service.request, service.write, service.write_answer;
// service.notify for notifications, hub/service_gateway.h).
//
// OAuth2 (RFC 6749 §4.4, client credentials):
//   POST /v1/oauth/token   application/x-www-form-urlencoded grant_type=client_credentials, the
//                          client by HTTP Basic (client_id:client_secret) or client_id and
//                          client_secret in the form → {"access_token": "rkt_…", "token_type":
//                          "Bearer", "expires_in": 900}; errors as RFC 6749 §5.2 says:
//                          400 {"error": "invalid_request" | "unsupported_grant_type"},
//                          401 {"error": "invalid_client"} (with WWW-Authenticate: Basic when
//                          the client used Basic). The one route without a principal.
//
// Operators (the operator portal's pages stand on these):
//   POST   /v1/services                      {"name", "webhook_url", "cert_name",
//                                            "client_credentials" (default true)} → 201
//                                            {"service", "client_secret", "signing_secret"}:
//                                            the secrets are shown this once
//   GET    /v1/services                      {"services": [service...]}
//   GET    /v1/services/{id}                 {"service", "grants": [grant...], "deliveries":
//                                            {state: count}} (also the service itself)
//   POST   /v1/services/{id}/{change}        enable | disable (a disabled service is refused
//                                            and receives nothing; its tokens end)
//   POST   /v1/services/{id}/webhook         {"webhook_url"}
//   GET    /v1/matrix?facility=&service=     the permission matrix: {"grants": [grant...]}
//   PUT    /v1/matrix/{facility}/{service}   {"notify": "none"|"signal"|"data", "types":
//                                            [{"type", "elements"}...]} (gateway/types.h):
//                                            connects them, with the type information → grant
//   DELETE /v1/matrix/{facility}/{service}   disconnects them
//   POST   /v1/services/{id}/deliveries/{delivery}/retry   a dead (or any) delivery again now
// Operators and the service itself:
//   GET    /v1/services/{id}/deliveries?state=pending|delivered|dead|withheld&before=&limit=
//                                            newest first (outbox.h's DeliveryJson, no content)
//   POST   /v1/services/{id}/replay?since=YYYY-MM-DDTHH:MM:SSZ   every delivery since then
//                                            again (within 30 days) → {"replayed": n}
// Services (use case 1, operation example 4):
//   GET    /v1/facilities/{facility}/patients/{local_id}/resources?type=&type=&from=&to=&limit=
//          the patient's data at the facility (S102-S108): the decision point, then the edge
//          extracts (edge/answers.h "resources"), then the hub filters (gateway/filter.h) →
//          {"facility", "patient": {"local_id", "regional_id"}, "access": {"rule", "reason"},
//           "resources": [entry...], "withheld": n, "more"}
//   POST   /v1/facilities/{facility}/patients/{local_id}/writes   Idempotency-Key: <key>
//          a FHIR R4 Encounter (a reception; a reservation with status "planned") or
//          QuestionnaireResponse, written as a new record of the facility (edge/answers.h
//          "write"); then what the service's types allow of the patient is extracted and,
//          filtered, returned to it (S35-S38; the sender always receives it) → 201 (200 when
//          the same key was written before) {"facility", "patient", "outcome", "record":
//          {"reference", "record_id"}, "resources": [entry...], "withheld", "more"}
// Grants as JSON: {"facility", "service", "notify", "types", "updated_at", "updated_by"};
// services: {"id", "name", "cert_name", "client_id", "webhook_url", "enabled", "created_at"}.
#pragma once

#include <functional>
#include <string>

#include "http/router.h"
#include "hub/services.h"

namespace renkei::hub {

// What a route puts on the audit trail (api.cc's Guard).
enum class Audited {
  kAll,      // each answer: allowed, or denied with the reason
  kDenials,  // denials only: the handler records what it allowed itself, with its basis
  kSelf,     // nothing: the handler records every decision of the route; or no one's data
};
using GuardedHandler = std::function<StatusOr<http::Response>(http::Request&, const Principal&)>;
// Wraps a handler: authenticates, maps errors, audits as `audit` says (api.cc).
using Guard = std::function<http::Handler(GuardedHandler handler, std::string action, Audited audit)>;

// Adds the routes above to `router`.
void AddServiceRoutes(http::Router& router, const HubServices& hub, const Guard& guard);

}  // namespace renkei::hub
