// The transactional outbox of change notifications: one row per (change, permitted service),
// written in ONE transaction, durable (SQLite synchronous=FULL; a PostgreSQL commit) before the
// hub acknowledges the change to the edge, so that a crash of the hub or of the edge loses no
// notification and a change pushed twice writes nothing twice (each row's idempotency key,
// "<facility>:<change seq>:<service>", is unique).
//
// The hub keeps no clinical content at rest (seeds 000, 002, 004): a row holds the change's
// reference — facility, the patient's local and regional IDs, record ID, resource type, kind,
// the edge's change sequence — never its content. In data mode the deliverer fetches the
// content from the edge when it delivers (deliverer.h).
//
// Each row is a delivery with a state:
//   pending    waiting for its next attempt (at next_ms); attempts so far, the last error
//   delivered  the service answered 2xx (delivered_ms)
//   dead       retried for the whole retry window without success: kept for the operator,
//              who may retry it (Retry), or the service may replay it (Replay)
//   withheld   the decision point no longer allows it at delivery (the service was disabled or
//              disconnected meanwhile): not sent, kept for the record
// Order per patient: Due() hands out only the oldest pending delivery of each (service,
// facility, patient), so a later change of a patient never reaches a service before an earlier
// one has been delivered or given up on.
//
// Thread-safe: one connection behind a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "gateway/types.h"
#include "sql/sql.h"

namespace renkei::gateway {

// A change at a facility, as its edge reported it (edge/hub_link.h) — the reference only.
struct Change {
  std::string facility;
  int64_t seq = 0;             // the edge's change sequence (store::ChangeRow::seq)
  std::string kind;            // created, updated, superseded, deleted, patient
  std::string patient_id;      // the facility's local patient ID
  std::string regional_id;     // "" when the hub has not linked the patient
  int64_t record_id = 0;       // 0 for a patient (demographics) change
  std::string resource_type;   // the FHIR resource type the change is of ("Patient" for demographics)
  std::string data_type;       // the SS-MIX2 or upload data type, e.g. "OMP-01", "FHIR-Encounter"
  std::string event_type;      // the chart's event type, "" when none
  std::string at;              // when the edge recorded it (UTC ISO 8601)
};

enum class DeliveryState { kPending, kDelivered, kDead, kWithheld };
std::string_view DeliveryStateName(DeliveryState s);  // "pending", "delivered", "dead", "withheld"
StatusOr<DeliveryState> ParseDeliveryState(std::string_view name);

struct Delivery {
  int64_t id = 0;
  std::string key;          // the idempotency key
  std::string service_id;   // "S<n>"
  NotifyMode mode = NotifyMode::kSignal;
  Change change;
  DeliveryState state = DeliveryState::kPending;
  int64_t attempts = 0;
  int64_t created_ms = 0;
  int64_t retry_from_ms = 0;  // when the current retry window began: enqueued, retried or replayed
  int64_t next_ms = 0;
  int64_t delivered_ms = 0;
  std::string last_error;
};

// What became of one delivery in a round of the deliverer.
struct Attempt {
  int64_t id = 0;
  // kDelivered (at_ms: when), kPending (failed: at_ms the next attempt), kDead (failed for the
  // whole retry window), kWithheld (not sent: the decision point no longer allows it)
  DeliveryState state = DeliveryState::kDelivered;
  int64_t at_ms = 0;
  std::string error;  // why it failed or was withheld
};

// The idempotency key of `change` for a service.
std::string IdempotencyKey(const Change& change, std::string_view service_id);

// A delivery as the API and the webhook body show it (no content):
// {"id","idempotency_key","service","mode","state","attempts","created_at","next_attempt_at",
//  "delivered_at","last_error","facility","patient":{"local_id","regional_id"},
//  "change":{"seq","kind","record_id","resource_type","data_type","event_type","at"}}
nlohmann::json DeliveryJson(const Delivery& d);

// One service to notify of one change.
struct Fanout {
  Change change;
  std::string service_id;
  NotifyMode mode = NotifyMode::kSignal;
};

class Outbox {
 public:
  // Opens (and migrates) the outbox in the database at `url`, with durable commits.
  static StatusOr<std::unique_ptr<Outbox>> Open(std::string_view url);

  // Writes every row in one durable transaction; rows whose key exists already are skipped.
  // Returns how many were new.
  StatusOr<int64_t> Enqueue(const std::vector<Fanout>& rows, int64_t now_ms);

  // Pending deliveries due at `now_ms`, oldest first, at most `limit`, each the oldest pending
  // one of its (service, facility, patient).
  StatusOr<std::vector<Delivery>> Due(int64_t now_ms, int64_t limit);
  // The earliest next_ms of a pending delivery that Due() could hand out (the first of its
  // patient's), or nullopt when none is pending.
  StatusOr<std::optional<int64_t>> NextDue();

  // Records what became of a round's deliveries, in one transaction.
  Status Record(const std::vector<Attempt>& attempts);

  // A service's deliveries, newest first: of `state` (all when nullopt), with id < `before`
  // (0: from the newest), at most `limit`.
  StatusOr<std::vector<Delivery>> List(std::string_view service_id, std::optional<DeliveryState> state, int64_t before,
                                       int64_t limit);
  // Makes a dead (or withheld, or delivered) delivery of the service pending again at once.
  // NotFound when it is not the service's.
  Status Retry(std::string_view service_id, int64_t id, int64_t now_ms);
  // Makes every delivery of the service created at or after `since_ms` pending again (the
  // service de-duplicates by idempotency key); returns how many.
  StatusOr<int64_t> Replay(std::string_view service_id, int64_t since_ms, int64_t now_ms);
  // Removes deliveries created before `before_ms` that are no longer pending (the replay window
  // has passed for them); returns how many.
  StatusOr<int64_t> Prune(int64_t before_ms);

  // Counts by state, for operators and tests.
  StatusOr<std::vector<std::pair<std::string, int64_t>>> Counts(std::string_view service_id = {});

 private:
  explicit Outbox(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)) {}

  std::mutex mutex_;
  std::unique_ptr<sql::SqlConnection> db_;  // guarded by mutex_
};

}  // namespace renkei::gateway
