#include "pki/identity.h"

#include <openssl/crypto.h>

#include <algorithm>

#include <fmt/format.h>

#include "pki/openssl.h"

namespace renkei::pki {
namespace {

bool NameChars(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

// The one value of `nid` in `subject`: "" with *present = false when absent; InvalidArgument
// when repeated or not text.
StatusOr<std::string> OneEntry(X509_NAME* subject, int nid, std::string_view label, bool* present) {
  const int at = X509_NAME_get_index_by_NID(subject, nid, -1);
  *present = at >= 0;
  if (at < 0) return std::string();
  if (X509_NAME_get_index_by_NID(subject, nid, at) >= 0) {
    return InvalidArgument(fmt::format("the certificate's subject has more than one {}", label));
  }
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (n < 0) return InvalidArgument(fmt::format("the certificate's {} is not text", label));
  std::string value(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return value;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kHub: return "hub";
    case Role::kEdge: return "edge";
    case Role::kService: return "service";
    case Role::kUser: return "user";
    case Role::kOperator: return "operator";
  }
  return "unknown";
}

StatusOr<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kHub, Role::kEdge, Role::kService, Role::kUser, Role::kOperator}) {
    if (RoleName(r) == name) return r;
  }
  return InvalidArgument(fmt::format("unknown role '{}' (hub, edge, service, user or operator)", name));
}

bool ValidPrincipalName(std::string_view name) { return NameChars(name) && name.front() != '.'; }

bool ValidFacilityCode(std::string_view code) { return NameChars(code); }

Status CheckFacility(Role role, std::string_view facility) {
  if (!facility.empty() && !ValidFacilityCode(facility)) {
    return InvalidArgument("a facility code is 1-64 letters, digits, '.', '_' or '-'");
  }
  if (role == Role::kEdge && facility.empty()) return InvalidArgument("an edge needs its facility's code");
  if (!facility.empty() && role != Role::kEdge && role != Role::kUser) {
    return InvalidArgument(fmt::format("a {} belongs to no facility", RoleName(role)));
  }
  return Status::Ok();
}

StatusOr<Identity> IdentityOf(X509* cert) {
  if (cert == nullptr) return InvalidArgument("no certificate");
  X509_NAME* subject = X509_get_subject_name(cert);
  bool present = false;
  Identity id;
  RENKEI_ASSIGN_OR_RETURN(id.name, OneEntry(subject, NID_commonName, "CN", &present));
  if (!present) return InvalidArgument("the certificate's subject has no CN (the principal's name)");
  if (!ValidPrincipalName(id.name)) return InvalidArgument("the certificate's CN is not a valid principal name");
  RENKEI_ASSIGN_OR_RETURN(std::string role, OneEntry(subject, NID_organizationalUnitName, "OU", &present));
  if (!present) return InvalidArgument("the certificate's subject has no OU (the principal's role)");
  auto parsed = ParseRole(role);
  if (!parsed.ok()) return InvalidArgument("the certificate's OU is not a role (hub, edge, service, user or operator)");
  id.role = *parsed;
  RENKEI_ASSIGN_OR_RETURN(id.facility, OneEntry(subject, NID_organizationName, "O", &present));
  if (present && id.facility.empty()) return InvalidArgument("the certificate's O is empty");
  RENKEI_RETURN_IF_ERROR(CheckFacility(id.role, id.facility).Annotate("the certificate's subject"));
  id.serial_hex = SerialHex(X509_get0_serialNumber(cert));
  return id;
}

}  // namespace renkei::pki
