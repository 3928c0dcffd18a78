// The event layer (seed 003): one line of a patient's chart per record — what happened,
// when, where and by whom, with a one-line Japanese title — and the references to the
// entities (FHIR resources) that hold the full content.
//
// Event types form a small closed vocabulary; EventTypeFromName() is how user input
// (`--type lab_result`) is checked against it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace renkei::fhir {

enum class EventType {
  kVisit,           // 外来受診
  kAdmission,       // 入院
  kDischarge,       // 退院
  kTransfer,        // 転科・転棟
  kLeave,           // 外出・外泊
  kCareTeam,        // 担当医
  kDiagnosis,       // 病名
  kPrescription,    // 処方
  kInjection,       // 注射
  kAdministration,  // 投薬・注射の実施
  kLabOrder,        // 検体検査オーダ
  kLabResult,       // 検体検査結果
  kImaging,         // 放射線検査
  kEndoscopy,       // 内視鏡検査
  kPhysiology,      // 生理検査
  kDocument,        // 文書
  kAllergy,         // アレルギー
  kMeal,            // 食事
};

struct EventTypeInfo {
  EventType type;
  std::string_view name;     // stable machine name, e.g. "lab_result"
  std::string_view label_ja; // e.g. "検査結果"
};
std::span<const EventTypeInfo> EventTypes();
std::string_view EventTypeName(EventType t);
std::string_view EventTypeLabel(EventType t);
std::optional<EventType> EventTypeFromName(std::string_view name);

// One chart line. Times are FHIR dateTime text in Japan time ("2011-07-01T10:30:45+09:00",
// or a date when only the date is known); sort_key is the same instant as 14 digits
// (YYYYMMDDHHMMSS, zero-padded) so that events order and filter as text.
struct Event {
  EventType type = EventType::kVisit;
  std::string occurred_at;
  std::string sort_key;
  std::string department_code;
  std::string department;    // display name, e.g. "内科"
  std::string practitioner;  // display name, e.g. "医師 一郎"
  std::string title;         // e.g. "処方: ダーゼン錠（５mg) 1錠 内服・経口・１日３回朝昼夕食後 5日分"
  bool abnormal = false;
  std::vector<std::string> entity_refs;  // "MedicationRequest/9999013.20110701.OMP-01.000000011000185.1"
};

// At most `max_chars` characters of UTF-8 text, cut at a character boundary, with "…" when
// cut: a long finding or note shortened for a title.
std::string ShortenTitleText(const std::string& text, size_t max_chars);

}  // namespace renkei::fhir
