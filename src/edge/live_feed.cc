#include "edge/live_feed.h"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "edge/record_writer.h"
#include "hl7/ack.h"
#include "hl7/charset.h"
#include "ssmix2/data_type.h"
#include "ssmix2/path.h"
#include "ssmix2/record.h"

namespace renkei::edge {
namespace {

using Clock = std::chrono::system_clock;

// MSH-9 → SS-MIX2 data type. Where one message type serves two data types, `alternative`
// is chosen when the content says so (an injection route, an inpatient visit, an endoscopy
// or physiology code system); see Pick().
struct TypeRule {
  std::string_view code;
  std::string_view triggers;  // space-separated
  std::string_view data_type;
  std::string_view alternative;
};

constexpr TypeRule kTypeRules[] = {
    {"ADT", "A08 A28 A31", "ADT-00", ""},
    {"ADT", "A04", "ADT-12", ""},
    {"ADT", "A01", "ADT-22", ""},
    {"ADT", "A11", "ADT-12", "ADT-22"},  // cancel of a visit or of an admission: PV1-2 tells
    {"ADT", "A14 A27", "ADT-21", ""},
    {"ADT", "A21 A52", "ADT-31", ""},
    {"ADT", "A22 A53", "ADT-32", ""},
    {"ADT", "A15 A26", "ADT-41", ""},
    {"ADT", "A02 A12", "ADT-42", ""},
    {"ADT", "A16 A25", "ADT-51", ""},
    {"ADT", "A03 A13", "ADT-52", ""},
    {"ADT", "A54 A55", "ADT-01", ""},
    {"ADT", "A60", "ADT-61", ""},
    {"PPR", "ZD1", "PPR-01", ""},
    {"OMD", "O03", "OMD", ""},
    {"RDE", "O11", "OMP-01", "OMP-02"},  // prescription or injection
    {"RAS", "O17", "OMP-11", "OMP-12"},
    {"OML", "O33", "OML-01", ""},
    {"OUL", "R22", "OML-11", ""},
    {"OMG", "O19", "OMG-01", "OMG-02"},  // radiology, else endoscopy or physiology (OMG-03)
    {"OMI", "Z23", "OMG-11", "OMG-12"},
    {"ORU", "R01", "OMG-13", ""},
};

bool HasTrigger(std::string_view list, std::string_view trigger) {
  for (size_t p = 0; p < list.size(); p += 4) {
    if (list.substr(p, 3) == trigger) return true;
  }
  return false;
}

// Injections: mixed drugs (RXC), an injectable form, or a parenteral route.
bool IsInjection(const hl7::Message& m) {
  if (m.FindSegment("RXC") != hl7::Message::npos) return true;
  if (m.Get("RXE", 6) == "INJ") return true;
  const std::string route = m.Get("RXR", 1);
  return route == "IV" || route == "IM" || route == "SC" || route == "ID" || route == "IA" || route == "IVP";
}

std::string Pick(const TypeRule& r, const hl7::Message& m) {
  if (r.alternative.empty()) return std::string(r.data_type);
  const std::string_view code = r.code;
  if (code == "ADT") return m.Get("PV1", 2) == "I" ? std::string(r.alternative) : std::string(r.data_type);
  if (code == "RDE" || code == "RAS") return IsInjection(m) ? std::string(r.alternative) : std::string(r.data_type);
  // Examinations: JJ1017 codes radiology; JED/LENDO endoscopy; anything else is physiology.
  const std::string system = m.Get("OBR", 4, 1, 3);
  if (system == "JJ1017") return std::string(r.data_type);
  if (system == "LENDO" || system == "JED" || code == "OMI") return std::string(r.alternative);
  return "OMG-03";
}

// MSH-7 as the 17-digit SS-MIX2 timestamp (YYYYMMDDHHMMSSfff); "" when unusable.
std::string Timestamp(std::string_view ts) {
  std::string digits;
  for (char c : ts) {
    if (c == '+' || c == '-') break;
    if (c >= '0' && c <= '9') digits += c;
    else if (c != '.') return {};
  }
  if (digits.size() < 8) return {};
  digits.resize(17, '0');
  return ssmix2::IsValidDate(digits.substr(0, 8)) ? digits : std::string();
}

std::string NowTimestamp() {
  // Japan time, as SS-MIX2 file names are written.
  const auto now = Clock::now() + std::chrono::hours(9);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y%m%d%H%M%S}{:03d}", std::chrono::floor<std::chrono::seconds>(now), ms);
}

hl7::AckError AsAckError(const ssmix2::Defect& d) {
  hl7::AckError e;
  e.message = fmt::format("{}: {}", ssmix2::DefectKindName(d.kind), d.detail);
  switch (d.kind) {
    case ssmix2::DefectKind::kUnknownDataType: e.code = hl7::ErrorCode::kUnsupportedMessageType; break;
    case ssmix2::DefectKind::kHl7Syntax:
    case ssmix2::DefectKind::kEncoding: e.code = hl7::ErrorCode::kDataTypeError; break;
    default: e.code = hl7::ErrorCode::kRequiredFieldMissing; break;
  }
  return e;
}

}  // namespace

std::string DataTypeOfMessage(const hl7::Message& message) {
  const std::string_view code = message.MessageCode(), trigger = message.TriggerEvent();
  for (const TypeRule& r : kTypeRules) {
    if (r.code == code && HasTrigger(r.triggers, trigger)) return Pick(r, message);
  }
  return {};
}

LiveFeed::LiveFeed(store::Store& store, std::shared_ptr<log::Logger> logger, LiveFeedOptions options)
    : store_(store), log_(std::move(logger)), options_(std::move(options)) {}

std::string LiveFeed::NextControlId() { return fmt::format("RK{}{:06d}", NowTimestamp().substr(0, 14), ++acks_ % 1000000); }

bool LiveFeed::Quarantine(std::string_view path, const std::vector<ssmix2::Defect>& defects,
                          std::string_view bytes) {
  auto id = store_.Quarantine("mllp:", path, defects, bytes);
  if (!id.ok()) {
    log_->Error("live_message_not_quarantined", {{"error", id.status().message()}});
    return false;
  }
  ++quarantined_;
  log_->Warn("live_message_quarantined", {{"quarantine_id", *id}, {"reason", ssmix2::DefectKindName(defects.front().kind)}});
  return true;
}

LiveResult LiveFeed::Keep(std::string_view bytes, const hl7::Message& m, std::vector<ssmix2::Defect>* errors) {
  LiveResult result;
  const std::string data_type = DataTypeOfMessage(m);
  if (data_type.empty()) {
    result.outcome = LiveResult::Outcome::kRejected;
    result.detail = fmt::format("message type {}^{} is not one the edge keeps", m.MessageCode(), m.TriggerEvent());
    errors->push_back({ssmix2::DefectKind::kUnknownDataType, result.detail});
    result.kept = Quarantine(fmt::format("mllp/unknown/{}-{}", NowTimestamp(), acks_), *errors, bytes);
    return result;
  }
  const ssmix2::DataTypeInfo* info = ssmix2::FindDataType(data_type);
  // The record's identity, as an SS-MIX2 gateway would name the file.
  ssmix2::RecordKey key;
  key.patient_id = m.Get("PID", 3);
  key.data_type = data_type;
  key.date = "-";
  if (!info->undated) {
    for (const ssmix2::FieldRef& f : info->date_fields) {
      const std::string v = m.Get(f.segment, f.field);
      if (v.size() >= 8) {
        key.date = v.substr(0, 8);
        break;
      }
    }
    if (key.date == "-") key.date = Timestamp(m.Get("MSH", 7)).substr(0, 8);
  }
  std::string order = m.Get("ORC", 2);
  if (order.empty()) order = m.Get("OBR", 2);
  key.order_number = order.empty() ? "999999999999999" : order;
  std::string ts = Timestamp(m.Get("MSH", 7));
  if (ts.empty()) ts = NowTimestamp();
  std::string department = m.Get("ORC", 17);
  if (department.empty()) department = m.Get("PV1", 10);
  if (department.empty()) department = "-";
  const std::string orc1 = m.Get("ORC", 1);
  const auto flag = (orc1 == "CA" || orc1 == "DC" || orc1 == "OC") ? ssmix2::ConditionFlag::kDeleted
                                                                   : ssmix2::ConditionFlag::kValid;
  if (key.patient_id.empty() || key.date.empty()) {
    result.outcome = LiveResult::Outcome::kQuarantined;
    result.detail = key.patient_id.empty() ? "PID-3 (the patient ID) is empty" : "no usable date in the message";
    errors->push_back({ssmix2::DefectKind::kHl7Syntax, result.detail});
    result.kept = Quarantine(fmt::format("mllp/incomplete/{}-{}", ts, acks_), *errors, bytes);
    return result;
  }
  result.path = ssmix2::MakePath(key, ts, department, flag);
  // The same checks as a file under that path.
  ssmix2::Inspection ins = ssmix2::Inspect(result.path, bytes, {options_.max_message_bytes});
  if (options_.severity.Quarantines(ins.defects)) {
    result.outcome = LiveResult::Outcome::kQuarantined;
    for (const ssmix2::Defect& d : ins.defects) {
      if (options_.severity.Of(d.kind) == ssmix2::Severity::kQuarantine) errors->push_back(d);
    }
    result.detail = errors->front().detail;
    result.kept = Quarantine(result.path, ins.defects, bytes);
    return result;
  }
  store::VersionInput v = VersionOf(ins, result.path, std::string(bytes));
  RecordWriter writer(store_, options_.facility_id);
  Status s = store_.Begin();
  StatusOr<store::PutResult> put = s.ok() ? writer.Put(v, nullptr, ins.demographics) : StatusOr<store::PutResult>(s);
  if (put.ok()) s = store_.Commit();
  if (!put.ok() || !s.ok()) {
    // The message is good but the store failed: no ACK, so that the sender sends it again
    // (an AR would make it give the message up).
    store_.Rollback().IgnoreError();
    result.outcome = LiveResult::Outcome::kRejected;
    result.kept = false;
    result.detail = fmt::format("could not store the message: {}", (!put.ok() ? put.status() : s).message());
    log_->Error("live_message_not_stored", {{"error", (!put.ok() ? put.status() : s).message()}});
    return result;
  }
  result.outcome = put->outcome == store::PutOutcome::kUnchanged ? LiveResult::Outcome::kUnchanged
                                                                 : LiveResult::Outcome::kStored;
  ++stored_;
  return result;
}

std::string LiveFeed::Accept(std::string_view bytes) {
  hl7::AckDetails details{NextControlId(), Clock::now(), {}};
  last_ = {};
  auto reject = [&](ssmix2::DefectKind kind, const std::string& reason) {
    last_ = {LiveResult::Outcome::kRejected, "", reason};
    last_.kept = Quarantine(fmt::format("mllp/unreadable/{}-{}", NowTimestamp(), acks_), {{kind, reason}}, bytes);
    if (!last_.kept) return std::string();
    details.errors.push_back(AsAckError({kind, reason}));
    // Acknowledge with the header when it can be read, so the sender can match the reply.
    if (auto msh = hl7::ParseMsh(bytes); msh.ok()) return hl7::BuildAck(*msh, hl7::AckCode::kReject, details);
    return hl7::BuildRejectWithoutHeader(details);
  };
  if (bytes.size() > options_.max_message_bytes) {
    return reject(ssmix2::DefectKind::kTooLarge,
                  fmt::format("{} bytes, over the limit of {}", bytes.size(), options_.max_message_bytes));
  }
  auto text = hl7::DecodeMessageText(bytes);
  if (!text.ok()) return reject(ssmix2::DefectKind::kEncoding, text.status().message());
  auto message = hl7::Parse(*text);
  if (!message.ok()) return reject(ssmix2::DefectKind::kHl7Syntax, message.status().message());
  std::vector<ssmix2::Defect> errors;
  last_ = Keep(bytes, *message, &errors);
  if (!last_.kept) return {};
  hl7::AckCode code = hl7::AckCode::kAccept;
  if (last_.outcome == LiveResult::Outcome::kQuarantined) code = hl7::AckCode::kError;
  if (last_.outcome == LiveResult::Outcome::kRejected) code = hl7::AckCode::kReject;
  for (const ssmix2::Defect& d : errors) details.errors.push_back(AsAckError(d));
  auto ack = hl7::BuildEncodedAck(*message, code, details);
  if (ack.ok()) return *ack;
  return hl7::BuildAck(*message, code, details);  // not encodable back: UTF-8 rather than nothing
}

}  // namespace renkei::edge
