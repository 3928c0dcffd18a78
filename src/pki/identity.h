// Who a certificate of the regional CA names, and the conventions every certificate follows.
//
// Certificates (written by ca.h, read by IdentityOf):
// * Keys are ECDSA P-256; certificates and CRLs are signed with ECDSA over SHA-256.
// * Subject: CN = the principal's name ("hub", "edge-1111111111", "sato-doctor"), OU = its role
//   (RoleName: hub, edge, service, user, operator), O = the facility code for an edge (required)
//   or a user of a facility (optional); no O for the other roles.
// * Names and facility codes are 1-64 of [A-Za-z0-9._-] (a Japanese facility code is 10 digits);
//   a name does not start with '.' (it names files).
// * Serial numbers are random 128-bit; written as lower-case hex without leading zeros.
// Pure; thread-safe.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::pki {

enum class Role {
  kHub,       // the region's hub: a TLS server (and client of other hubs)
  kEdge,      // a facility's edge node; O is its facility
  kService,   // a program of the region's operator calling the hub
  kUser,      // a person (clinician, clerk); O is their facility when they belong to one
  kOperator,  // a person who runs the region
};

// "hub", "edge", "service", "user", "operator".
std::string_view RoleName(Role role);
// The role RoleName names; InvalidArgument listing the roles otherwise.
StatusOr<Role> ParseRole(std::string_view name);

struct Identity {
  std::string name;      // CN
  Role role = Role::kUser;  // OU
  std::string facility;  // O, or "" when absent
  std::string serial_hex;

  friend bool operator==(const Identity&, const Identity&) = default;
};

// Whether `name` may be a principal's name / `code` a facility code (see above).
bool ValidPrincipalName(std::string_view name);
bool ValidFacilityCode(std::string_view code);

// Whether `role` may carry `facility` ("" for none): InvalidArgument when an edge has none,
// when a hub, service or operator has one, or when the code is malformed.
Status CheckFacility(Role role, std::string_view facility);

// The identity a certificate's subject names. InvalidArgument when CN or OU is missing or
// repeated, the OU is not a role, the name or facility is malformed, or CheckFacility fails.
// Does not check who issued the certificate: callers read identities of verified peers.
StatusOr<Identity> IdentityOf(X509* cert);

}  // namespace renkei::pki
