#include "identity/user.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "base/code.h"
#include "text/iso2022jp.h"

namespace renkei::identity {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoleNames{{
    {Role::kClinician, "clinician"},
    {Role::kStaff, "staff"},
    {Role::kOperator, "operator"},
    {Role::kPatient, "patient"},
    {Role::kProxy, "proxy"},
}};

bool IsAsciiAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool BelongsToFacility(Role role) { return role == Role::kClinician || role == Role::kStaff; }

Status CheckDisplayName(std::string_view name) {
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  if (name.empty() || name.size() > kMaxDisplayNameBytes || control || !text::ValidateUtf8(name).ok()) {
    return InvalidArgument(
        fmt::format("a display name is 1-{} bytes of UTF-8 text without control characters", kMaxDisplayNameBytes));
  }
  return Status::Ok();
}

Status CheckRegionalIds(Role role, std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (!IsPlainCode(id, kMaxRegionalIdCode)) return InvalidArgument("a regional ID is 1-40 letters and digits");
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (role == Role::kPatient && ids.size() != 1) return InvalidArgument("a patient has exactly one regional ID");
  if (role == Role::kProxy && (ids.empty() || ids.size() > kMaxProxiedPatients)) {
    return InvalidArgument(fmt::format("a proxy acts for 1 to {} patients", kMaxProxiedPatients));
  }
  if (role != Role::kPatient && role != Role::kProxy && !ids.empty()) {
    return InvalidArgument("only patients and proxies have regional IDs");
  }
  return Status::Ok();
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "clinician";
}

StatusOr<Role> ParseRole(std::string_view name) {
  for (const auto& [r, role_name] : kRoleNames) {
    if (role_name == name) return r;
  }
  return InvalidArgument("a role is clinician, staff, operator, patient or proxy");
}

std::optional<std::string> CanonicalLogin(std::string_view login) {
  if (login.empty() || login.size() > kMaxLoginBytes) return std::nullopt;
  std::string out;
  for (char c : login) {
    if (!IsAsciiAlnum(c) && c != '.' && c != '_' && c != '-') return std::nullopt;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::optional<std::string> CanonicalFingerprint(std::string_view sha256_hex) {
  if (sha256_hex.size() != 64) return std::nullopt;
  std::string out;
  for (char c : sha256_hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

StatusOr<User> CheckUser(User user) {
  const std::optional<std::string> login = CanonicalLogin(user.login);
  if (!login) return InvalidArgument("a login name is 1-64 letters, digits, '.', '_' or '-'");
  user.login = *login;
  RENKEI_RETURN_IF_ERROR(CheckDisplayName(user.display_name));
  if (BelongsToFacility(user.role) && user.facility.empty()) {
    return InvalidArgument("clinicians and staff need the code of their facility");
  }
  if (!BelongsToFacility(user.role) && !user.facility.empty()) {
    return InvalidArgument("a patient, proxy or operator belongs to no facility");
  }
  if (!user.facility.empty() && !IsFacilityCode(user.facility)) {
    return InvalidArgument("a facility code is 1-20 letters, digits, '-' or '_'");
  }
  RENKEI_RETURN_IF_ERROR(CheckRegionalIds(user.role, user.regional_ids));
  if (!user.certificate_sha256.empty()) {
    const std::optional<std::string> fingerprint = CanonicalFingerprint(user.certificate_sha256);
    if (!fingerprint) {
      return InvalidArgument("a certificate fingerprint is the SHA-256 of the certificate in 64 hex digits");
    }
    user.certificate_sha256 = *fingerprint;
  }
  return user;
}

}  // namespace renkei::identity
