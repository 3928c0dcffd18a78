#include "ssmix2/record.h"

#include <algorithm>

#include <fmt/format.h>

#include "hl7/charset.h"
#include "hl7/message.h"

namespace renkei::ssmix2 {
namespace {

// Compares the message with what its path says about it.
void CheckMessage(const hl7::Message& m, Inspection* out) {
  const DataTypeInfo* type = out->path.type_info;
  if (type != nullptr) {
    std::string_view code = m.MessageCode();
    std::string_view event = m.TriggerEvent();
    bool event_ok = std::find(type->trigger_events.begin(), type->trigger_events.end(), event) !=
                    type->trigger_events.end();
    if (code != type->message_code || !event_ok) {
      out->defects.push_back({DefectKind::kMessageTypeMismatch,
                              fmt::format("MSH-9 is '{}^{}' but data type {} carries {}^{}", code, event, type->code,
                                          type->message_code, type->trigger_events.front())});
    }
  }
  size_t pid = m.FindSegment("PID");
  if (pid == hl7::Message::npos) {
    out->defects.push_back({DefectKind::kMissingSegment, "no PID segment"});
  } else {
    std::string id = m.GetAt(pid, 3);
    if (id != out->path.key.patient_id) {
      out->defects.push_back({DefectKind::kPatientIdMismatch,
                              fmt::format("PID-3 '{}' differs from the file's patient ID '{}'", id,
                                          out->path.key.patient_id)});
    }
  }
  if (type != nullptr && !type->undated && IsValidDate(out->path.key.date)) {
    for (const FieldRef& ref : type->date_fields) {
      size_t seg = m.FindSegment(ref.segment);
      if (seg == hl7::Message::npos) continue;
      std::string value = m.GetAt(seg, ref.field);
      if (value.empty()) continue;
      if (value.substr(0, 8) != out->path.key.date) {
        out->defects.push_back({DefectKind::kDateMismatch,
                                fmt::format("date folder {} differs from {}-{} '{}'", out->path.key.date, ref.segment,
                                            ref.field, value)});
      }
      break;  // only the first present field decides
    }
  }
}

}  // namespace

Inspection Inspect(std::string_view relative, std::string_view bytes, const InspectOptions& options) {
  Inspection out;
  out.path = ParsePath(relative, &out.defects);
  if (out.path.extended) return out;
  if (bytes.size() > options.max_message_bytes) {
    out.defects.push_back({DefectKind::kTooLarge, fmt::format("{} bytes exceed the limit of {} bytes", bytes.size(),
                                                              options.max_message_bytes)});
    return out;
  }
  auto text = hl7::DecodeMessageText(bytes);
  if (!text.ok()) {
    out.defects.push_back({text.status().code() == StatusCode::kFailedPrecondition ? DefectKind::kCharsetUndeclared
                                                                                   : DefectKind::kEncoding,
                           text.status().message()});
    return out;
  }
  out.decoded = std::move(text).value();
  hl7::Limits limits;
  limits.max_bytes = options.max_message_bytes * 4;  // UTF-8 text is at most ~1.5x the JIS bytes
  auto message = hl7::Parse(out.decoded, limits);
  if (!message.ok()) {
    out.defects.push_back({DefectKind::kHl7Syntax, message.status().message()});
    return out;
  }
  out.message_type = fmt::format("{}^{}", message->MessageCode(), message->TriggerEvent());
  CheckMessage(*message, &out);
  if (out.path.key.data_type == "ADT-00") out.demographics = ReadDemographics(*message);
  return out;
}

}  // namespace renkei::ssmix2
