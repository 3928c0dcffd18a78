// Who may call the hub's API, and what each may do — decided here and nowhere else.
//
// Callers: a facility's systems (its edge, its registration desk) by a client certificate of
// the regional CA or a bearer token from the credentials file (random 256-bit values shown once;
// the hub keeps only their SHA-256, so a leaked file does not leak tokens); people by a session
// of identity/ (a password and a TOTP code) or, clinicians, by a user certificate of the CA
// (HPKI-like); the region's operators by either.
//
// The rule (Authorize), by role:
//   facility  (its systems) and staff (its reception): register only their own facility's
//             patients; see (PIX, PDQ hits, locator, history) only persons their facility has
//             registered; record their consent
//   clinician as a facility for reading and consent, registers no one; the only ones who may
//             declare break-glass (a person, named on the override)
//   operator  sees every person and corrects the index (link, unlink, merge, revert, review),
//             reviews overrides, manages users, facilities, certificates and services (the
//             permission matrix), searches and verifies the audit trail; registers no one,
//             records no consent, declares no emergency
//   patient   (and proxy) only their own record (`acts_for`): its identifiers, consent (which
//             they change), and who accessed it
//   service   a service provider (seed 000), by a client certificate of role service or an
//             OAuth2 access token (gateway/registry.h): only the service routes (hub/service_api.h)
//             — a patient's data at a facility and write-backs, decided per facility by the
//             permission matrix (policy/service_decide.h) — its own deliveries and the facility
//             directory; none of the index, consent, chart, people or audit routes
//   everyone signed in reads the facility directory
// Clinical data is not decided here but by the policy decision point (policy/decide.h), which
// every path to it asks through hub::DecideView (chart.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "http/message.h"
#include "gateway/registry.h"
#include "identity/user_store.h"

namespace renkei::hub {

enum class Role { kFacility, kOperator, kClinician, kStaff, kPatient, kService };
// "facility", "operator", "clinician", "staff", "patient", "service"
std::string_view RoleName(Role r);

struct Principal {
  std::string name;      // for the history and logs, e.g. "edge-1234567890", a user's login
  Role role = Role::kFacility;
  std::string facility;  // the facility's code, for kFacility, kClinician and kStaff
  // kPatient: the patient's own regional ID, or the patients a proxy acts for.
  std::vector<std::string> acts_for;
  bool proxy = false;    // kPatient: a guardian acting for the patients in acts_for
  std::string user_id;   // a signed-in user's account ("U…"); "" for tokens and certificates
  std::string display_name;  // the name screens show: the account's, else `name`
  std::string session;   // that sign-in's session ID (never the token)
  std::string service_id;  // kService: the service's ID ("S…")
};

enum class Action {
  kRegister,  // register or update a patient of `facility`
  kRead,      // PIX, PDQ hits, locator, history of a person held at `facilities`
  kCorrect,   // link, unlink, merge, revert, resolve reviews, list reviews
  kConsent,          // record, change or withdraw the consent of a person held at `facilities`
  kBreakGlass,       // start or stop an emergency override for a person held at `facilities`
  kReviewOverrides,  // list and review the overrides
  kReadAccesses,     // the audit trail of a person (who accessed their record)
  kManageUsers,      // make, list, disable, enable users; reset their second factor
  kExplainOthers,    // ask how the policy decides for another user
  kSearchAudit,      // search the whole audit trail
  kReadDirectory,    // the region's facilities (names, kinds, addresses): anyone signed in
  kManageFacilities,   // add facilities to the directory or change them
  kManageCertificates, // list, issue and revoke the regional CA's certificates
  kVerifyAudit,        // check the whole audit trail's chain and signed heads
  kManageServices,   // register services, enable or disable them, edit the matrix, retry deliveries
  kServiceExchange,  // a service's own exchange: a patient's data, write-backs (the matrix decides which)
  kServiceDeliveries,  // a service's deliveries: list, replay (`service_id` names the service)
};

// `facilities`: the facilities the target concerns (the registering facility; the facilities
// holding the person); `regional_id`: the person, when there is one. PermissionDenied with the
// reason when not allowed.
Status Authorize(const Principal& who, Action action, const std::vector<std::string>& facilities,
                 std::string_view regional_id = {}, std::string_view service_id = {});

class Credentials {
 public:
  // Reads a credentials file; a missing file is an empty set. InvalidArgument for a malformed one.
  static StatusOr<Credentials> Load(const std::string& path);
  // Issues a token for a new caller and adds it to the file (created with mode 0600); returns
  // the token, which is not kept. AlreadyExists for a name in use; InvalidArgument for a bad
  // name, a facility principal without a facility or an operator with one.
  static StatusOr<std::string> Issue(const std::string& path, const Principal& who);

  // The principal holding `token`, or nullopt.
  std::optional<Principal> Authenticate(std::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Principal who;
    std::string sha256;  // hex of the token's SHA-256
  };
  std::vector<Entry> entries_;
};

// Who makes `request`: the principal its client certificate names (over TLS: an edge is its
// facility's principal, a user with a facility a clinician of it, an operator an operator, a
// service the registered service of that certificate name; hubs are no principals of this
// API), else the holder of its bearer token — a credential ("rk_…"), a service's access token
// ("rkt_…", gateway/registry.h) or a user's session (identity/; `now_ms` for the expiries);
// nullopt when none (a disabled service is none).
std::optional<Principal> Authenticate(const Credentials& credentials, identity::UserStore& users,
                                      gateway::Registry& services, const http::Request& request, int64_t now_ms);
// The principal a registered service acts as.
Principal PrincipalOf(const gateway::Service& service);
// A facility's system (kFacility, with its facility) or an operator, named `name`.
Principal MakePrincipal(std::string name, Role role, std::string facility = "");
// The principal a user acts as; `session` the ID of the sign-in it acts in ("" for none).
Principal PrincipalOf(const identity::User& user, std::string session = "");

}  // namespace renkei::hub
