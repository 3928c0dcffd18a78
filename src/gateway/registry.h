// The hub's register of service providers (seed 000's medical service providing systems: a
// reservation or reception service, a pre-visit questionnaire, payment, lab orders, a trial's
// management) and of what each may do: the connection permission matrix and its type
// information, which the operator edits and policy/service_decide.h decides with.
//
// A service has:
//   * a name (1-64 of [A-Za-z0-9._-]) and an ID "S<n>";
//   * its credentials: the name of its client certificate of the regional CA (role service),
//     and/or OAuth2 client credentials (client ID "svc-<n>-<random>", a secret shown once;
//     only its SHA-256 is kept — a secret is 256 random bits, so no slow hash is needed);
//   * a webhook URL where notifications go: https://, or http:// to 127.0.0.1 or localhost
//     for development;
//   * a signing secret (shown once) with which every notification is signed (signature.h). The
//     hub must keep it to sign: it is the one secret kept as it is, in the hub's database;
//   * enabled or disabled.
// A grant is one cell of the matrix: facility × service, with the service's notification mode
// for changes at that facility (types.h NotifyMode) and its type information. No grant: the
// two are not connected.
//
// Access tokens (OAuth2 client credentials grant, RFC 6749 §4.4): "rkt_" + 64 hex digits,
// valid for token_ttl; only their SHA-256 is kept, with the service and the expiry. Expired
// ones are removed as new ones are issued.
//
// Everything over sql/ (tables gateway_*, schema history gateway_schema_migrations), so it
// shares the hub's database, SQLite or PostgreSQL. Thread-safe: one connection behind a mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gateway/types.h"
#include "sql/sql.h"

namespace renkei::gateway {

constexpr int64_t kTokenTtlSeconds = 900;

struct Service {
  std::string id;           // "S1"
  std::string name;
  std::string cert_name;    // CN of its client certificate; "" for none
  std::string client_id;    // OAuth2 client ID; "" for none
  std::string webhook_url;  // "" when it takes no notifications
  bool enabled = true;
  std::string created_at;   // UTC ISO 8601
};

struct NewService {
  std::string name;
  std::string cert_name;
  std::string webhook_url;
  bool client_credentials = true;  // issue an OAuth2 client ID and secret
};

// A new service with the secrets that are shown this once.
struct IssuedService {
  Service service;
  std::string client_secret;   // "" without client credentials
  std::string signing_secret;
};

struct Grant {
  std::string facility;
  std::string service_id;
  NotifyMode notify = NotifyMode::kNone;
  std::vector<policy::TypeRule> types;
  std::string updated_at;  // set by PutGrant
  std::string updated_by;  // the operator
};

struct AccessToken {
  std::string token;  // shown once
  int64_t expires_in = kTokenTtlSeconds;
};

// Whether `url` may take webhooks: InvalidArgument saying why not.
Status CheckWebhookUrl(std::string_view url);

class Registry {
 public:
  // Opens (and migrates) the register in the database at `url`.
  static StatusOr<std::unique_ptr<Registry>> Open(std::string_view url);

  // Errors: InvalidArgument for a bad name, certificate name or webhook URL, or a service with
  // neither a certificate nor client credentials; AlreadyExists for a name, or a certificate
  // name, in use.
  StatusOr<IssuedService> Add(const NewService& s);
  StatusOr<std::vector<Service>> List();
  // NotFound for an unknown ID.
  StatusOr<Service> Get(std::string_view id);
  StatusOr<Service> SetEnabled(std::string_view id, bool enabled);
  StatusOr<Service> SetWebhook(std::string_view id, std::string_view url);
  // Every service's signing secret, by service ID (the deliverer reads them once per round).
  StatusOr<std::map<std::string, std::string>> SigningSecrets();

  // The service whose client certificate is named `cert_name`, or nullopt.
  StatusOr<std::optional<Service>> ByCertificate(std::string_view cert_name);
  // The client credentials grant. PermissionDenied("invalid_client") for an unknown client, a
  // wrong secret or a disabled service (one answer for all three).
  StatusOr<AccessToken> IssueToken(std::string_view client_id, std::string_view client_secret, int64_t now_ms);
  // The service holding an unexpired `token`, or nullopt (disabled services hold none).
  StatusOr<std::optional<Service>> Authenticate(std::string_view token, int64_t now_ms);

  // Sets (or replaces) a cell of the matrix. NotFound for an unknown service; InvalidArgument
  // for a malformed facility code.
  Status PutGrant(Grant g);
  // Removes it; false when there was none.
  StatusOr<bool> RemoveGrant(std::string_view facility, std::string_view service_id);
  StatusOr<std::optional<Grant>> GrantOf(std::string_view facility, std::string_view service_id);
  // The matrix: every grant, or those of one facility, or of one service (by facility, service).
  StatusOr<std::vector<Grant>> Grants(std::string_view facility = {}, std::string_view service_id = {});

 private:
  explicit Registry(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)) {}
  StatusOr<Service> GetLocked(std::string_view id);

  std::mutex mutex_;
  std::unique_ptr<sql::SqlConnection> db_;  // guarded by mutex_
};

// A service's ID from its number and back ("S12" ↔ 12; 0 for anything that is not an ID).
std::string ServiceIdText(int64_t number);
int64_t ServiceNumber(std::string_view id);

// The schema of the gateway's tables, for registry.h and outbox.h (each opens its own
// connection and migrates the same history).
Status MigrateGateway(sql::SqlConnection& db);

}  // namespace renkei::gateway
