#include "gateway/outbox.h"

#include <fmt/format.h>

#include "base/time.h"
#include "gateway/registry.h"

namespace renkei::gateway {
namespace {

using nlohmann::json;
using sql::SqlRow;

constexpr std::string_view kColumns =
    "id, idem_key, service_id, mode, facility, seq, kind, patient_id, regional_id, record_id, resource_type, data_type, "
    "event_type, changed_at, state, attempts, created_ms, retry_from_ms, next_ms, delivered_ms, last_error";

// A pending delivery of `o` that is the first pending one of its (service, facility, patient).
constexpr std::string_view kFirstOfItsPatient =
    "o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM gateway_outbox e WHERE e.service_id = o.service_id "
    "AND e.facility = o.facility AND e.patient_id = o.patient_id AND e.state = 'pending' AND e.id < o.id)";

Delivery DeliveryOf(const SqlRow& r) {
  Delivery d;
  d.id = r.Int(0);
  d.key = r.Text(1);
  d.service_id = ServiceIdText(r.Int(2));
  const auto mode = ParseNotifyMode(r.Text(3));
  d.mode = mode.ok() ? *mode : NotifyMode::kSignal;
  d.change = {r.Text(4), r.Int(5), r.Text(6), r.Text(7), r.Text(8), r.Int(9), r.Text(10), r.Text(11), r.Text(12), r.Text(13)};
  const auto state = ParseDeliveryState(r.Text(14));
  d.state = state.ok() ? *state : DeliveryState::kPending;
  d.attempts = r.Int(15);
  d.created_ms = r.Int(16);
  d.retry_from_ms = r.Int(17);
  d.next_ms = r.Int(18);
  d.delivered_ms = r.Int(19);
  d.last_error = r.Text(20);
  return d;
}

std::vector<Delivery> DeliveriesOf(const std::vector<SqlRow>& rows) {
  std::vector<Delivery> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) out.push_back(DeliveryOf(r));
  return out;
}

}  // namespace

std::string_view DeliveryStateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending: return "pending";
    case DeliveryState::kDelivered: return "delivered";
    case DeliveryState::kDead: return "dead";
    case DeliveryState::kWithheld: return "withheld";
  }
  return "?";
}

StatusOr<DeliveryState> ParseDeliveryState(std::string_view name) {
  for (DeliveryState s : {DeliveryState::kPending, DeliveryState::kDelivered, DeliveryState::kDead, DeliveryState::kWithheld}) {
    if (DeliveryStateName(s) == name) return s;
  }
  return InvalidArgument("a delivery's state is pending, delivered, dead or withheld");
}

std::string IdempotencyKey(const Change& c, std::string_view service_id) {
  return fmt::format("{}:{}:{}", c.facility, c.seq, service_id);
}

json DeliveryJson(const Delivery& d) {
  const Change& c = d.change;
  return {{"id", d.id},
          {"idempotency_key", d.key},
          {"service", d.service_id},
          {"mode", NotifyModeName(d.mode)},
          {"state", DeliveryStateName(d.state)},
          {"attempts", d.attempts},
          {"created_at", UtcIso8601(d.created_ms)},
          {"next_attempt_at", d.state == DeliveryState::kPending ? json(UtcIso8601(d.next_ms)) : json(nullptr)},
          {"delivered_at", d.delivered_ms > 0 ? json(UtcIso8601(d.delivered_ms)) : json(nullptr)},
          {"last_error", d.last_error},
          {"facility", c.facility},
          {"patient", {{"local_id", c.patient_id}, {"regional_id", c.regional_id.empty() ? json(nullptr) : json(c.regional_id)}}},
          {"change",
           {{"seq", c.seq}, {"kind", c.kind}, {"record_id", c.record_id}, {"resource_type", c.resource_type},
            {"data_type", c.data_type}, {"event_type", c.event_type}, {"at", c.at}}}};
}

StatusOr<std::unique_ptr<Outbox>> Outbox::Open(std::string_view url) {
  RENKEI_ASSIGN_OR_RETURN(auto db, sql::Open(url));
  RENKEI_RETURN_IF_ERROR(MigrateGateway(*db));
  // The edge is acknowledged only after the commit: it must be on disk by then.
  if (db->dialect() == sql::Dialect::kSqlite) RENKEI_RETURN_IF_ERROR(db->Execute("PRAGMA synchronous=FULL"));
  return std::unique_ptr<Outbox>(new Outbox(std::move(db)));
}

StatusOr<int64_t> Outbox::Enqueue(const std::vector<Fanout>& rows, int64_t now_ms) {
  if (rows.empty()) return int64_t{0};
  std::lock_guard lock(mutex_);
  RENKEI_RETURN_IF_ERROR(db_->Execute("BEGIN"));
  int64_t added = 0;
  for (const Fanout& f : rows) {
    const Change& c = f.change;
    auto inserted = db_->Query(
        "INSERT INTO gateway_outbox (idem_key, service_id, facility, patient_id, regional_id, seq, kind, record_id, "
        "resource_type, data_type, event_type, changed_at, mode, state, attempts, created_ms, retry_from_ms, next_ms, "
        "delivered_ms, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', 0, $14, $14, "
        "$14, 0, '') "
        "ON CONFLICT (idem_key) DO NOTHING RETURNING id",
        {IdempotencyKey(c, f.service_id), ServiceNumber(f.service_id), c.facility, c.patient_id, c.regional_id, c.seq, c.kind,
         c.record_id, c.resource_type, c.data_type, c.event_type, c.at, std::string(NotifyModeName(f.mode)), now_ms});
    if (!inserted.ok()) {
      (void)db_->Execute("ROLLBACK");
      return inserted.status();
    }
    added += static_cast<int64_t>(inserted->size());
  }
  RENKEI_RETURN_IF_ERROR(db_->Execute("COMMIT"));
  return added;
}

StatusOr<std::vector<Delivery>> Outbox::Due(int64_t now_ms, int64_t limit) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("SELECT {} FROM gateway_outbox o WHERE next_ms <= $1 AND {} ORDER BY id LIMIT $2", kColumns,
                             kFirstOfItsPatient),
                 {now_ms, limit}));
  return DeliveriesOf(rows);
}

StatusOr<std::optional<int64_t>> Outbox::NextDue() {
  std::lock_guard lock(mutex_);
  // Only the first pending delivery of each patient can be due: the others wait for it,
  // whatever their own next_ms.
  RENKEI_ASSIGN_OR_RETURN(
      auto rows, db_->Query(fmt::format("SELECT MIN(next_ms) FROM gateway_outbox o WHERE {}", kFirstOfItsPatient), {}));
  if (rows.empty() || rows[0].IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(rows[0].Int(0));
}

Status Outbox::Record(const std::vector<Attempt>& attempts) {
  if (attempts.empty()) return Status::Ok();
  std::lock_guard lock(mutex_);
  RENKEI_RETURN_IF_ERROR(db_->Execute("BEGIN"));
  for (const Attempt& a : attempts) {
    StatusOr<std::vector<sql::SqlRow>> done = Internal("unset");
    const std::string error = a.error.substr(0, 500);
    switch (a.state) {
      case DeliveryState::kDelivered:
        done = db_->Query("UPDATE gateway_outbox SET state = 'delivered', attempts = attempts + 1, delivered_ms = $2, "
                          "last_error = '' WHERE id = $1",
                          {a.id, a.at_ms});
        break;
      case DeliveryState::kPending:
      case DeliveryState::kDead:
        done = db_->Query("UPDATE gateway_outbox SET state = $2, attempts = attempts + 1, next_ms = $3, last_error = $4 "
                          "WHERE id = $1",
                          {a.id, std::string(DeliveryStateName(a.state)), a.at_ms, error});
        break;
      case DeliveryState::kWithheld:
        done = db_->Query("UPDATE gateway_outbox SET state = 'withheld', last_error = $2 WHERE id = $1", {a.id, error});
        break;
    }
    if (!done.ok()) {
      (void)db_->Execute("ROLLBACK");
      return done.status();
    }
  }
  return db_->Execute("COMMIT");
}

StatusOr<std::vector<Delivery>> Outbox::List(std::string_view service_id, std::optional<DeliveryState> state, int64_t before,
                                             int64_t limit) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("SELECT {} FROM gateway_outbox WHERE service_id = $1 AND ($2 = '' OR state = $2) "
                             "AND ($3 = 0 OR id < $3) ORDER BY id DESC LIMIT $4",
                             kColumns),
                 {ServiceNumber(service_id), std::string(state ? DeliveryStateName(*state) : ""), before, limit}));
  return DeliveriesOf(rows);
}

Status Outbox::Retry(std::string_view service_id, int64_t id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("UPDATE gateway_outbox SET state = 'pending', next_ms = $3, retry_from_ms = $3 "
                                                "WHERE id = $1 AND service_id = $2 RETURNING id",
                                                {id, ServiceNumber(service_id), now_ms}));
  if (rows.empty()) return NotFound(fmt::format("service {} has no delivery {}", service_id, id));
  return Status::Ok();
}

StatusOr<int64_t> Outbox::Replay(std::string_view service_id, int64_t since_ms, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("UPDATE gateway_outbox SET state = 'pending', next_ms = $3, retry_from_ms = $3 "
                                                "WHERE service_id = $1 AND created_ms >= $2 AND state <> 'pending' RETURNING id",
                                                {ServiceNumber(service_id), since_ms, now_ms}));
  return static_cast<int64_t>(rows.size());
}

StatusOr<int64_t> Outbox::Prune(int64_t before_ms) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("DELETE FROM gateway_outbox WHERE created_ms < $1 AND state <> 'pending' "
                                                "RETURNING id",
                                                {before_ms}));
  return static_cast<int64_t>(rows.size());
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> Outbox::Counts(std::string_view service_id) {
  std::lock_guard lock(mutex_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT state, COUNT(*) FROM gateway_outbox WHERE ($1 = 0 OR service_id = $1) "
                                                "GROUP BY state ORDER BY state",
                                                {service_id.empty() ? int64_t{0} : ServiceNumber(service_id)}));
  std::vector<std::pair<std::string, int64_t>> out;
  for (const SqlRow& r : rows) out.emplace_back(r.Text(0), r.Int(1));
  return out;
}

}  // namespace renkei::gateway
