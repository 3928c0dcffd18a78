#include "fhir/event.h"

#include <algorithm>

namespace renkei::fhir {
namespace {

constexpr EventTypeInfo kTypes[] = {
    {EventType::kVisit, "visit", "外来受診"},
    {EventType::kAdmission, "admission", "入院"},
    {EventType::kDischarge, "discharge", "退院"},
    {EventType::kTransfer, "transfer", "転科・転棟"},
    {EventType::kLeave, "leave", "外出・外泊"},
    {EventType::kCareTeam, "care_team", "担当医"},
    {EventType::kDiagnosis, "diagnosis", "病名"},
    {EventType::kPrescription, "prescription", "処方"},
    {EventType::kInjection, "injection", "注射"},
    {EventType::kAdministration, "administration", "実施"},
    {EventType::kLabOrder, "lab_order", "検査オーダ"},
    {EventType::kLabResult, "lab_result", "検査結果"},
    {EventType::kImaging, "imaging", "放射線検査"},
    {EventType::kEndoscopy, "endoscopy", "内視鏡検査"},
    {EventType::kPhysiology, "physiology", "生理検査"},
    {EventType::kDocument, "document", "文書"},
    {EventType::kAllergy, "allergy", "アレルギー"},
    {EventType::kMeal, "meal", "食事"},
};

const EventTypeInfo& Info(EventType t) {
  return *std::find_if(std::begin(kTypes), std::end(kTypes), [&](const EventTypeInfo& i) { return i.type == t; });
}

}  // namespace

std::span<const EventTypeInfo> EventTypes() { return kTypes; }
std::string_view EventTypeName(EventType t) { return Info(t).name; }
std::string_view EventTypeLabel(EventType t) { return Info(t).label_ja; }

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (const EventTypeInfo& i : kTypes) {
    if (i.name == name) return i.type;
  }
  return std::nullopt;
}

std::string ShortenTitleText(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars++ == max_chars) return text.substr(0, i) + "…";
  }
  return text;
}

}  // namespace renkei::fhir
