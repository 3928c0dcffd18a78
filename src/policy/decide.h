// The policy decision point: whether a requester may see a person's clinical data, and from
// which facilities — one pure function that every path of the hub asks (the chart, an entity,
// later services and exports), so that the rule lives in one place and its answers can be
// explained to operators and patients.
//
// The rule (default deny; the first that applies decides):
//   0. a patient (or their proxy) asks for their own record                     → allow every
//      facility holding data (a person's right of access; the consent governs
//      who else sees it); for anyone else's                                     → deny
//   1. operators run the region; they see no clinical data                      → deny
//      nor do a facility's reception staff                                      → deny
//      nor do service providers, who receive a facility's data only through the
//      service gateway's matrix (service_decide.h), never the regional chart   → deny
//   2. the requester's facility has not registered the person (no treatment
//      relationship the hub knows of)                                           → deny
//   3. a break-glass override of this requester for this person is running      → allow every
//      facility holding data (an emergency outweighs missing, narrow or
//      withdrawn consent; the override is audited, time-boxed and reviewed)
//   4. the patient withdrew consent                                             → deny
//   5. no consent                                                               → deny
//   6. the requester's facility is not among the facilities the patient linked → deny
//   7. otherwise                                                                → allow the
//      linked facilities that hold data (the requester's own always among them)
// "Holding data" is the person's registrations; a facility the patient did not link is
// withheld, and the Decision names each one and why, so that a chart can say so.
//
// Cost: no allocation beyond the Decision's vectors; the facts are passed in, never looked up.
// Thread-safe (a pure function).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::policy {

enum class RequesterRole {
  kClinician,  // a facility's user (or its system acting for its users)
  kOperator,   // the region's support center
  kStaff,      // a facility's reception: registers patients and records consent
  kPatient,    // a patient, or a proxy acting for patients
  kService,    // a service provider (seed 000): decided by service_decide.h instead
};

struct Requester {
  std::string name;      // the user or credential, for the audit trail
  RequesterRole role = RequesterRole::kClinician;
  std::string facility;  // the facility the requester acts for; empty for operators and patients
  std::vector<std::string> acts_for;  // kPatient: their own regional ID, or those a proxy acts for
};

// The patient's consent to the exchange as the hub knows it (consent.h keeps it).
struct Consent {
  enum class State { kNone, kActive, kWithdrawn };
  State state = State::kNone;
  std::string id;                    // the consent's ID: the basis of an allow, for the audit trail
  std::vector<std::string> linked;   // the facilities the patient chose to link
};

// A running break-glass override (consent.h starts and stops them).
struct Override {
  std::string id;
  std::string requester;    // the user who declared the emergency
  std::string regional_id;  // for whom
  int64_t until_ms = 0;     // Unix ms: it ends by itself then
};

struct Question {
  Requester who;
  std::string regional_id;
  std::vector<std::string> registered_at;  // facilities with a registration of the person
  int64_t now_ms = 0;                      // Unix ms
};

struct Facts {
  Consent consent;
  std::optional<Override> override;  // this requester's for this person, if any
};

struct Withheld {
  std::string facility;
  std::string reason;
};

struct Decision {
  bool allowed = false;
  std::string rule;                     // "operator", "staff", "service", "no-relationship", "break-glass", "withdrawn",
                                        // "no-consent", "not-linked", "consent"
  std::string reason;                   // one sentence, for people
  std::string basis;                    // the consent's or the override's ID, when allowed
  std::vector<std::string> facilities;  // allowed: whose data may flow, sorted, unique
  std::vector<Withheld> withheld;       // allowed: holders left out, and why
};

Decision Decide(const Question& question, const Facts& facts);

// "allow" or "deny".
std::string_view EffectName(const Decision& d);

}  // namespace renkei::policy
