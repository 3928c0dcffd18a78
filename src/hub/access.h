// Who may call the hub's patient-index API, and what each may do — decided here and nowhere
// else.
//
// Callers authenticate with a bearer token (until the regional CA's client certificates
// arrive): a facility's edge or registration desk, or the region's operators. Tokens are
// random 256-bit values shown once when issued; the hub keeps only their SHA-256 in a
// credentials file (JSON, mode 0600), so a leaked file does not leak tokens.
//
// The rule (Authorize): a facility registers only its own patients and sees only persons it
// has registered itself — looked up by its own local ID (seed 004) or by a regional ID that
// includes one — with the other facilities' local IDs for them; operators see every person and
// correct the index (link, unlink, merge, revert, review) but register no one.
//
// Consent and break-glass (kConsent, kBreakGlass): a facility records the consent of, or
// declares an emergency for, only a person it has registered; operators do neither, and only
// they review the overrides (kReviewOverrides).
//
// Clinical data is not decided here but by the policy decision point (policy/decide.h), which
// every path to it asks through hub::DecideView (chart.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "http/message.h"

namespace renkei::hub {

enum class Role { kFacility, kOperator };
std::string_view RoleName(Role r);  // "facility", "operator"

struct Principal {
  std::string name;      // for the history and logs, e.g. "edge-1234567890"
  Role role = Role::kFacility;
  std::string facility;  // the facility's code, for kFacility
};

enum class Action {
  kRegister,  // register or update a patient of `facility`
  kRead,      // PIX, PDQ hits, locator, history of a person held at `facilities`
  kCorrect,   // link, unlink, merge, revert, resolve reviews, list reviews
  kConsent,          // record, change or withdraw the consent of a person held at `facilities`
  kBreakGlass,       // start or stop an emergency override for a person held at `facilities`
  kReviewOverrides,  // list and review the overrides
};

// `facilities`: the facilities the target concerns (the registering facility; the facilities
// holding the person). PermissionDenied with the reason when not allowed.
Status Authorize(const Principal& who, Action action, const std::vector<std::string>& facilities);

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

// Who makes `request`: the principal its client certificate names (over TLS: an edge or a user
// with a facility is that facility's principal, an operator an operator; hubs and services are
// no principals of this API), else the holder of its bearer token; nullopt when neither.
std::optional<Principal> Authenticate(const Credentials& credentials, const http::Request& request);

}  // namespace renkei::hub
