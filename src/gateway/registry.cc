#include "gateway/registry.h"

#include <openssl/crypto.h>

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "gateway/signature.h"
#include "pki/digest.h"
#include "pki/identity.h"

namespace renkei::gateway {
namespace {

using sql::SqlRow;
using sql::SqlValue;

constexpr sql::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE gateway_services (
  id {id},
  name TEXT NOT NULL UNIQUE,
  cert_name TEXT UNIQUE,
  client_id TEXT UNIQUE,
  secret_sha256 TEXT NOT NULL,
  webhook_url TEXT NOT NULL,
  signing_secret TEXT NOT NULL,
  enabled BIGINT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE gateway_grants (
  facility TEXT NOT NULL,
  service_id BIGINT NOT NULL REFERENCES gateway_services (id),
  notify TEXT NOT NULL,
  types TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (facility, service_id)
);
CREATE TABLE gateway_tokens (
  sha256 TEXT PRIMARY KEY,
  service_id BIGINT NOT NULL REFERENCES gateway_services (id),
  expires_ms BIGINT NOT NULL
);
CREATE TABLE gateway_outbox (
  id {id},
  idem_key TEXT NOT NULL UNIQUE,
  service_id BIGINT NOT NULL REFERENCES gateway_services (id),
  facility TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  regional_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL,
  record_id BIGINT NOT NULL,
  resource_type TEXT NOT NULL,
  data_type TEXT NOT NULL,
  event_type TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  mode TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  retry_from_ms BIGINT NOT NULL,
  next_ms BIGINT NOT NULL,
  delivered_ms BIGINT NOT NULL,
  last_error TEXT NOT NULL
);
CREATE INDEX gateway_outbox_due ON gateway_outbox (state, next_ms);
CREATE INDEX gateway_outbox_group ON gateway_outbox (service_id, facility, patient_id, state, id);
CREATE INDEX gateway_outbox_created ON gateway_outbox (service_id, created_ms);
)sql"},
};

bool ValidName(std::string_view s) { return pki::ValidPrincipalName(s); }


constexpr std::string_view kServiceColumns =
    "id, name, cert_name, client_id, webhook_url, enabled, created_at";

Service ServiceOf(const SqlRow& r) {
  return {ServiceIdText(r.Int(0)), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5) != 0, r.Text(6)};
}

SqlValue OrNull(const std::string& s) { return s.empty() ? SqlValue() : SqlValue(s); }

Grant GrantOfRow(const SqlRow& r) {
  Grant g;
  g.facility = r.Text(0);
  g.service_id = ServiceIdText(r.Int(1));
  const auto notify = ParseNotifyMode(r.Text(2));
  g.notify = notify.ok() ? *notify : NotifyMode::kNone;
  auto types = ParseTypes(nlohmann::json::parse(r.Text(3), nullptr, false));
  if (types.ok()) g.types = *std::move(types);
  g.updated_at = r.Text(4);
  g.updated_by = r.Text(5);
  return g;
}

}  // namespace

std::string ServiceIdText(int64_t n) { return fmt::format("S{}", n); }

int64_t ServiceNumber(std::string_view id) {
  if (id.size() < 2 || id.size() > 20 || id[0] != 'S') return 0;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  return ec == std::errc() && p == id.data() + id.size() && n > 0 ? n : 0;
}

Status MigrateGateway(sql::SqlConnection& db) { return sql::Migrate(db, kMigrations, "gateway_schema_migrations"); }

Status CheckWebhookUrl(std::string_view url) {
  if (url.size() > 2048) return InvalidArgument("a webhook URL is at most 2048 characters");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return InvalidArgument("a webhook URL holds no spaces, control or non-ASCII characters (percent-encode them)");
    }
  }
  const auto host_of = [&](std::string_view rest) {
    const std::string_view authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string_view::npos) return std::string_view();  // no user info
    return authority.substr(0, authority.rfind(':') == std::string_view::npos ? authority.size() : authority.rfind(':'));
  };
  if (url.starts_with("https://")) {
    if (host_of(url.substr(8)).empty()) return InvalidArgument("a webhook URL needs a host");
    return Status::Ok();
  }
  if (url.starts_with("http://")) {
    const std::string_view host = host_of(url.substr(7));
    if (host == "127.0.0.1" || host == "localhost" || host == "[::1]") return Status::Ok();
    return InvalidArgument("webhooks go over https://; plain http:// only to 127.0.0.1 or localhost, for development");
  }
  return InvalidArgument("a webhook URL starts with https://");
}

StatusOr<std::unique_ptr<Registry>> Registry::Open(std::string_view url) {
  RENKEI_ASSIGN_OR_RETURN(auto db, sql::Open(url));
  RENKEI_RETURN_IF_ERROR(MigrateGateway(*db));
  return std::unique_ptr<Registry>(new Registry(std::move(db)));
}

StatusOr<IssuedService> Registry::Add(const NewService& s) {
  if (!ValidName(s.name)) return InvalidArgument("a service's name is 1-64 of A-Z a-z 0-9 . _ - (not starting with '.')");
  if (!s.cert_name.empty() && !ValidName(s.cert_name)) {
    return InvalidArgument("a certificate name is 1-64 of A-Z a-z 0-9 . _ - (the certificate's CN)");
  }
  if (s.cert_name.empty() && !s.client_credentials) {
    return InvalidArgument("a service needs a client certificate name or client credentials to authenticate with");
  }
  if (!s.webhook_url.empty()) RENKEI_RETURN_IF_ERROR(CheckWebhookUrl(s.webhook_url));
  IssuedService out;
  RENKEI_ASSIGN_OR_RETURN(out.signing_secret, RandomSecret("whsec_"));
  std::string client_id, secret_sha256;
  if (s.client_credentials) {
    RENKEI_ASSIGN_OR_RETURN(out.client_secret, RandomSecret("rks_"));
    RENKEI_ASSIGN_OR_RETURN(std::string random, RandomSecret(""));
    client_id = "svc-" + random.substr(0, 24);
    secret_sha256 = pki::Sha256Hex(out.client_secret);
  }
  std::lock_guard lock(mutex_);
  const auto in_use = [&] {
    return AlreadyExists(fmt::format("a service named {} (or with certificate {}) exists already", s.name,
                                     s.cert_name.empty() ? "-" : s.cert_name));
  };
  auto inserted = db_->Query(
      "INSERT INTO gateway_services (name, cert_name, client_id, secret_sha256, webhook_url, signing_secret, enabled, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
      {s.name, OrNull(s.cert_name), OrNull(client_id), secret_sha256, s.webhook_url, out.signing_secret, NowUtcIso8601()});
  if (!inserted.ok() && inserted.status().code() == StatusCode::kAlreadyExists) return in_use();
  if (!inserted.ok()) return inserted.status();
  RENKEI_ASSIGN_OR_RETURN(out.service, GetLocked(ServiceIdText(inserted->at(0).Int(0))));
  return out;
}

StatusOr<std::vector<Service>> Registry::List() {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(fmt::format("SELECT {} FROM gateway_services ORDER BY id", kServiceColumns), {}));
  std::vector<Service> out;
  for (const SqlRow& r : rows) out.push_back(ServiceOf(r));
  return out;
}

StatusOr<Service> Registry::GetLocked(std::string_view id) {
  const int64_t n = ServiceNumber(id);
  if (n == 0) return NotFound("no such service (IDs are S<number>)");
  RENKEI_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("SELECT {} FROM gateway_services WHERE id = $1", kServiceColumns), {n}));
  if (rows.empty()) return NotFound(fmt::format("no service {}", id));
  return ServiceOf(rows[0]);
}

StatusOr<Service> Registry::Get(std::string_view id) {
  std::lock_guard lock(mutex_);
  return GetLocked(id);
}

StatusOr<Service> Registry::SetEnabled(std::string_view id, bool enabled) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(Service s, GetLocked(id));
  RENKEI_RETURN_IF_ERROR(
      db_->Query("UPDATE gateway_services SET enabled = $1 WHERE id = $2", {int64_t{enabled}, ServiceNumber(id)}).status());
  if (!enabled) {  // its tokens end with it
    RENKEI_RETURN_IF_ERROR(db_->Query("DELETE FROM gateway_tokens WHERE service_id = $1", {ServiceNumber(id)}).status());
  }
  s.enabled = enabled;
  return s;
}

StatusOr<Service> Registry::SetWebhook(std::string_view id, std::string_view url) {
  if (!url.empty()) RENKEI_RETURN_IF_ERROR(CheckWebhookUrl(url));
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(Service s, GetLocked(id));
  RENKEI_RETURN_IF_ERROR(
      db_->Query("UPDATE gateway_services SET webhook_url = $1 WHERE id = $2", {std::string(url), ServiceNumber(id)}).status());
  s.webhook_url = url;
  return s;
}

StatusOr<std::map<std::string, std::string>> Registry::SigningSecrets() {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id, signing_secret FROM gateway_services", {}));
  std::map<std::string, std::string> out;
  for (const SqlRow& r : rows) out[ServiceIdText(r.Int(0))] = r.Text(1);
  return out;
}

StatusOr<std::optional<Service>> Registry::ByCertificate(std::string_view cert_name) {
  if (cert_name.empty()) return std::optional<Service>();
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query(fmt::format("SELECT {} FROM gateway_services WHERE cert_name = $1", kServiceColumns),
                                                {std::string(cert_name)}));
  if (rows.empty()) return std::optional<Service>();
  return std::optional<Service>(ServiceOf(rows[0]));
}

StatusOr<AccessToken> Registry::IssueToken(std::string_view client_id, std::string_view client_secret, int64_t now_ms) {
  const Status invalid = PermissionDenied("invalid_client");
  if (client_id.empty() || client_id.size() > 64 || client_secret.size() > 256) return invalid;
  // The secret's digest is computed whether or not the client exists, so timing does not tell.
  const std::string digest = pki::Sha256Hex(client_secret);
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id, secret_sha256, enabled FROM gateway_services WHERE client_id = $1",
                                                {std::string(client_id)}));
  if (rows.empty()) return invalid;
  const std::string kept = rows[0].Text(1);
  if (kept.size() != digest.size() || CRYPTO_memcmp(kept.data(), digest.data(), digest.size()) != 0 || rows[0].Int(2) == 0) {
    return invalid;
  }
  AccessToken t;
  RENKEI_ASSIGN_OR_RETURN(t.token, RandomSecret("rkt_"));
  RENKEI_RETURN_IF_ERROR(db_->Execute("BEGIN"));
  Status s = db_->Query("DELETE FROM gateway_tokens WHERE expires_ms <= $1", {now_ms}).status();
  if (s.ok()) {
    s = db_->Query("INSERT INTO gateway_tokens (sha256, service_id, expires_ms) VALUES ($1, $2, $3)",
                   {pki::Sha256Hex(t.token), rows[0].Int(0), now_ms + kTokenTtlSeconds * 1000})
            .status();
  }
  if (!s.ok()) {
    (void)db_->Execute("ROLLBACK");
    return s;
  }
  RENKEI_RETURN_IF_ERROR(db_->Execute("COMMIT"));
  return t;
}

StatusOr<std::optional<Service>> Registry::Authenticate(std::string_view token, int64_t now_ms) {
  if (!token.starts_with("rkt_") || token.size() != 68) return std::optional<Service>();
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("SELECT {} FROM gateway_services s JOIN gateway_tokens t ON t.service_id = s.id "
                             "WHERE t.sha256 = $1 AND t.expires_ms > $2 AND s.enabled = 1",
                             "s.id, s.name, s.cert_name, s.client_id, s.webhook_url, s.enabled, s.created_at"),
                 {pki::Sha256Hex(token), now_ms}));
  if (rows.empty()) return std::optional<Service>();
  return std::optional<Service>(ServiceOf(rows[0]));
}

Status Registry::PutGrant(Grant g) {
  if (!pki::ValidFacilityCode(g.facility)) return InvalidArgument("a facility code is 1-64 of A-Z a-z 0-9 . _ -");
  std::lock_guard lock(mutex_);
  RENKEI_RETURN_IF_ERROR(GetLocked(g.service_id).status());
  return db_
      ->Query("INSERT INTO gateway_grants (facility, service_id, notify, types, updated_at, updated_by) "
              "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (facility, service_id) DO UPDATE SET notify = excluded.notify, "
              "types = excluded.types, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
              {g.facility, ServiceNumber(g.service_id), std::string(NotifyModeName(g.notify)), TypesJson(g.types).dump(),
               NowUtcIso8601(), g.updated_by})
      .status();
}

StatusOr<bool> Registry::RemoveGrant(std::string_view facility, std::string_view service_id) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("DELETE FROM gateway_grants WHERE facility = $1 AND service_id = $2 RETURNING facility",
                                                {std::string(facility), ServiceNumber(service_id)}));
  return !rows.empty();
}

StatusOr<std::optional<Grant>> Registry::GrantOf(std::string_view facility, std::string_view service_id) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT facility, service_id, notify, types, updated_at, updated_by "
                                                "FROM gateway_grants WHERE facility = $1 AND service_id = $2",
                                                {std::string(facility), ServiceNumber(service_id)}));
  if (rows.empty()) return std::optional<Grant>();
  return std::optional<Grant>(GrantOfRow(rows[0]));
}

StatusOr<std::vector<Grant>> Registry::Grants(std::string_view facility, std::string_view service_id) {
  if (!service_id.empty() && ServiceNumber(service_id) == 0) return std::vector<Grant>();
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT facility, service_id, notify, types, updated_at, updated_by "
                                                "FROM gateway_grants WHERE ($1 = '' OR facility = $1) AND ($2 = 0 OR service_id = $2) "
                                                "ORDER BY facility, service_id",
                                                {std::string(facility), service_id.empty() ? int64_t{0} : ServiceNumber(service_id)}));
  std::vector<Grant> out;
  for (const SqlRow& r : rows) out.push_back(GrantOfRow(r));
  return out;
}

}  // namespace renkei::gateway
