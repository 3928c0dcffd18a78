#include "hub/access.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "pki/digest.h"

namespace renkei::hub {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}

bool ValidName(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kFacility: return "facility";
    case Role::kOperator: return "operator";
    case Role::kClinician: return "clinician";
    case Role::kStaff: return "staff";
    case Role::kPatient: return "patient";
    case Role::kService: return "service";
  }
  return "?";
}

Status Authorize(const Principal& who, Action action, const std::vector<std::string>& facilities,
                 std::string_view regional_id, std::string_view service_id) {
  if (action == Action::kReadDirectory) return Status::Ok();
  if (action == Action::kServiceExchange) {
    if (who.role == Role::kService) return Status::Ok();
    return PermissionDenied("the service routes are for service providers");
  }
  if (action == Action::kServiceDeliveries) {
    if (who.role == Role::kOperator || (who.role == Role::kService && who.service_id == service_id)) return Status::Ok();
    return PermissionDenied("a service's deliveries are for that service and the region's operators");
  }
  if (who.role == Role::kService) {
    return PermissionDenied("services use the service routes only: a patient's data and write-backs at the facilities "
                            "the permission matrix connects them to");
  }
  if (who.role == Role::kPatient) {
    const bool own = !regional_id.empty() &&
                     std::find(who.acts_for.begin(), who.acts_for.end(), regional_id) != who.acts_for.end();
    if (action != Action::kRead && action != Action::kConsent && action != Action::kReadAccesses) {
      return PermissionDenied("patients and proxies see and decide only about their own record");
    }
    if (!own) return PermissionDenied("a patient or proxy may see only the records of the patients they are");
    return Status::Ok();
  }
  if (action == Action::kReviewOverrides || action == Action::kManageUsers || action == Action::kExplainOthers ||
      action == Action::kSearchAudit || action == Action::kManageFacilities || action == Action::kManageCertificates ||
      action == Action::kVerifyAudit || action == Action::kManageServices) {
    if (who.role == Role::kOperator) return Status::Ok();
    switch (action) {
      case Action::kManageServices: return PermissionDenied("only the region's operators manage services and the permission matrix");
      case Action::kManageUsers: return PermissionDenied("only the region's operators manage users");
      case Action::kManageFacilities: return PermissionDenied("only the region's operators manage the facility directory");
      case Action::kManageCertificates: return PermissionDenied("only the region's operators issue and revoke certificates");
      case Action::kVerifyAudit: return PermissionDenied("only the region's operators verify the audit trail");
      case Action::kExplainOthers: return PermissionDenied("only the region's operators explain others' decisions");
      case Action::kSearchAudit: return PermissionDenied("only the region's operators search the audit trail");
      default: return PermissionDenied("only the region's operators review break-glass overrides");
    }
  }
  if (who.role == Role::kOperator) {
    if (action == Action::kConsent) return PermissionDenied("operators do not record consent; the patient's facility does");
    if (action == Action::kBreakGlass) return PermissionDenied("break-glass is for a facility's clinicians");
    if (action == Action::kRegister) return PermissionDenied("operators do not register patients; facilities do");
    return Status::Ok();
  }
  if (action == Action::kCorrect) return PermissionDenied("only the region's operators correct the patient index");
  if (action == Action::kReadAccesses) {
    return PermissionDenied("a person's access history is for the patient, their proxy and the operators");
  }
  if (action == Action::kBreakGlass && who.role != Role::kClinician) {
    return PermissionDenied("break-glass is declared by a clinician signed in as themself, not by a facility's system");
  }
  if (action == Action::kRegister && who.role == Role::kClinician) {
    return PermissionDenied("clinicians do not register patients; the facility's reception does");
  }
  const bool own = std::find(facilities.begin(), facilities.end(), who.facility) != facilities.end();
  if (action == Action::kRegister) {
    if (!own) return PermissionDenied(fmt::format("{} may register only patients of facility {}", who.name, who.facility));
    return Status::Ok();
  }
  if (!own) return PermissionDenied(fmt::format("facility {} has not registered this patient", who.facility));
  return Status::Ok();
}

StatusOr<Credentials> Credentials::Load(const std::string& path) {
  Credentials c;
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return c;
    return Unavailable(fmt::format("cannot read {}", path));
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("callers") || !j["callers"].is_array()) {
    return InvalidArgument(fmt::format("{}: not a credentials file (expected {{\"callers\": [...]}})", path));
  }
  for (const nlohmann::json& e : j["callers"]) {
    if (!e.is_object() || !e.contains("name") || !e.contains("role") || !e.contains("sha256") ||
        !e["name"].is_string() || !e["role"].is_string() || !e["sha256"].is_string()) {
      return InvalidArgument(fmt::format("{}: every caller needs name, role and sha256", path));
    }
    Entry entry;
    entry.who.name = e["name"];
    const std::string role = e["role"];
    if (role != "facility" && role != "operator") return InvalidArgument(fmt::format("{}: unknown role '{}'", path, role));
    entry.who.role = role == "operator" ? Role::kOperator : Role::kFacility;
    if (e.contains("facility") && e["facility"].is_string()) entry.who.facility = e["facility"];
    entry.sha256 = e["sha256"];
    c.entries_.push_back(std::move(entry));
  }
  return c;
}

StatusOr<std::string> Credentials::Issue(const std::string& path, const Principal& who) {
  if (!ValidName(who.name)) return InvalidArgument("a caller's name is 1-64 letters, digits, '-', '_' or '.'");
  if (who.role == Role::kFacility && !ValidName(who.facility)) {
    return InvalidArgument("a facility caller needs the facility's code (--facility)");
  }
  if (who.role == Role::kOperator && !who.facility.empty()) return InvalidArgument("an operator belongs to no facility");
  RENKEI_ASSIGN_OR_RETURN(Credentials existing, Load(path));
  for (const Entry& e : existing.entries_) {
    if (e.who.name == who.name) return AlreadyExists(fmt::format("a caller named {} exists already", who.name));
  }
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) return Internal("no randomness for a token");
  const std::string token = "rk_" + Hex(random, sizeof random);
  existing.entries_.push_back({who, pki::Sha256Hex(token)});
  nlohmann::json callers = nlohmann::json::array();
  for (const Entry& e : existing.entries_) {
    nlohmann::json c = {{"name", e.who.name}, {"role", RoleName(e.who.role)}, {"sha256", e.sha256}};
    if (!e.who.facility.empty()) c["facility"] = e.who.facility;
    callers.push_back(c);
  }
  RENKEI_RETURN_IF_ERROR(WriteFileAtomically(path, nlohmann::json({{"callers", callers}}).dump(2) + "\n", 0600));
  return token;
}

std::optional<Principal> Credentials::Authenticate(std::string_view token) const {
  if (token.empty() || token.size() > 256) return std::nullopt;
  const std::string digest = pki::Sha256Hex(token);
  std::optional<Principal> found;
  for (const Entry& e : entries_) {
    if (e.sha256.size() == digest.size() && CRYPTO_memcmp(e.sha256.data(), digest.data(), digest.size()) == 0) {
      found = e.who;
    }
  }
  return found;
}

Principal MakePrincipal(std::string name, Role role, std::string facility) {
  Principal p;
  p.name = std::move(name);
  p.role = role;
  p.facility = std::move(facility);
  return p;
}

Principal PrincipalOf(const identity::User& u, std::string session) {
  Principal p = MakePrincipal(u.login, Role::kPatient, u.facility);
  p.user_id = u.id;
  p.display_name = u.display_name;
  p.session = std::move(session);
  switch (u.role) {
    case identity::Role::kClinician: p.role = Role::kClinician; break;
    case identity::Role::kStaff: p.role = Role::kStaff; break;
    case identity::Role::kOperator: p.role = Role::kOperator; break;
    case identity::Role::kPatient:
    case identity::Role::kProxy:
      p.acts_for = u.regional_ids;
      p.proxy = u.role == identity::Role::kProxy;
      break;
  }
  return p;
}

Principal PrincipalOf(const gateway::Service& service) {
  Principal p = MakePrincipal(service.name, Role::kService);
  p.service_id = service.id;
  return p;
}

std::optional<Principal> Authenticate(const Credentials& credentials, identity::UserStore& users,
                                      gateway::Registry& services, const http::Request& request, int64_t now_ms) {
  if (request.peer) {
    const pki::Identity& id = *request.peer;
    if (id.role == pki::Role::kEdge && !id.facility.empty()) return MakePrincipal(id.name, Role::kFacility, id.facility);
    if (id.role == pki::Role::kUser && !id.facility.empty()) return MakePrincipal(id.name, Role::kClinician, id.facility);
    if (id.role == pki::Role::kOperator) return MakePrincipal(id.name, Role::kOperator);
    if (id.role == pki::Role::kService) {
      auto service = services.ByCertificate(id.name);
      if (service.ok() && *service && (*service)->enabled) return PrincipalOf(**service);
      return std::nullopt;  // a certificate the register does not know, or of a disabled service
    }
  }
  const std::optional<std::string> auth = request.Header("authorization");
  if (!auth || !auth->starts_with("Bearer ")) return std::nullopt;
  const std::string_view token = std::string_view(*auth).substr(7);
  if (token.starts_with("rk_")) return credentials.Authenticate(token);
  if (token.starts_with("rkt_")) {
    auto service = services.Authenticate(token, now_ms);
    if (!service.ok() || !*service) return std::nullopt;
    return PrincipalOf(**service);
  }
  auto session = users.Authenticate(token, now_ms);
  if (!session.ok()) return std::nullopt;
  return PrincipalOf(session->user, session->id);
}

}  // namespace renkei::hub
