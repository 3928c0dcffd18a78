// A person's account at the hub: who they are, what role they act in, and for clinicians and
// staff the facility they act for, for patients and proxies whose records they may see. The
// rules an account must follow are checked here (CheckUser), before the store keeps one.
//
// Value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace renkei::identity {

enum class Role {
  kClinician,  // a doctor, nurse or pharmacist of a facility: sees the charts policy/ allows
  kStaff,      // a clerk of a facility: registers patients and records their consent
  kOperator,   // one who runs the region: corrects the patient index, reviews break-glass
  kPatient,    // a person who sees their own record and decides their consent
  kProxy,      // a guardian or family member acting for one or more patients
};

// "clinician", "staff", "operator", "patient", "proxy".
std::string_view RoleName(Role role);
// The role RoleName names; InvalidArgument listing the roles otherwise.
StatusOr<Role> ParseRole(std::string_view name);

constexpr size_t kMaxLoginBytes = 64;
constexpr size_t kMaxDisplayNameBytes = 200;
constexpr size_t kMaxProxiedPatients = 50;

struct User {
  std::string id;            // "U" + number, set by the store
  std::string login;         // 1-64 of [a-z0-9._-]; unique, whatever the case it was typed in
  std::string display_name;  // what screens show, e.g. "佐藤 花子"; UTF-8 without control characters
  Role role = Role::kClinician;
  std::string facility;  // a clinician's or staff member's facility code; "" for the other roles
  // A patient's own regional ID (exactly one); the patients a proxy acts for (one or more,
  // sorted); none for the other roles.
  std::vector<std::string> regional_ids;
  std::string certificate_sha256;  // the bound client certificate's DER SHA-256 in hex, or ""
  bool disabled = false;
  int64_t locked_until_ms = 0;  // the end of the last lockout after failed sign-ins (0: never)
  int64_t created_ms = 0;       // set by the store

  friend bool operator==(const User&, const User&) = default;
};

// The login name as it is kept (lower case), or nullopt when it is not 1-64 of [A-Za-z0-9._-].
std::optional<std::string> CanonicalLogin(std::string_view login);

// A certificate fingerprint as it is kept (lower-case hex), or nullopt when it is not 64 hex
// digits.
std::optional<std::string> CanonicalFingerprint(std::string_view sha256_hex);

// Puts `user` in the form the store keeps (login and fingerprint canonical, regional IDs sorted
// and unique) or says what is wrong, InvalidArgument:
//   "a login name is 1-64 letters, digits, '.', '_' or '-'"
//   "a display name is 1-200 bytes of UTF-8 text without control characters"
//   "clinicians and staff need the code of their facility"
//   "a facility code is 1-20 letters, digits, '-' or '_'"
//   "a patient, proxy or operator belongs to no facility"
//   "a patient has exactly one regional ID" / "a proxy acts for 1 to 50 patients"
//   "only patients and proxies have regional IDs"
//   "a regional ID is 1-40 letters and digits"
//   "a certificate fingerprint is the SHA-256 of the certificate in 64 hex digits"
StatusOr<User> CheckUser(User user);

}  // namespace renkei::identity
