#include "hl7/ack.h"

#include <fmt/format.h>

#include "hl7/charset.h"
#include "text/iso2022jp.h"

namespace renkei::hl7 {
namespace {

std::string_view AckCodeText(AckCode code) {
  switch (code) {
    case AckCode::kAccept: return "AA";
    case AckCode::kError: return "AE";
    case AckCode::kReject: return "AR";
  }
  return "AR";
}

std::string_view ErrorCodeText(ErrorCode code) {
  switch (code) {
    case ErrorCode::kSegmentSequenceError: return "Segment sequence error";
    case ErrorCode::kRequiredFieldMissing: return "Required field missing";
    case ErrorCode::kDataTypeError: return "Data type error";
    case ErrorCode::kTableValueNotFound: return "Table value not found";
    case ErrorCode::kUnsupportedMessageType: return "Unsupported message type";
    case ErrorCode::kUnsupportedEventCode: return "Unsupported event code";
    case ErrorCode::kUnsupportedProcessingId: return "Unsupported processing id";
    case ErrorCode::kUnsupportedVersionId: return "Unsupported version id";
    case ErrorCode::kUnknownKeyIdentifier: return "Unknown key identifier";
    case ErrorCode::kDuplicateKeyIdentifier: return "Duplicate key identifier";
    case ErrorCode::kApplicationRecordLocked: return "Application record locked";
    case ErrorCode::kApplicationInternalError: return "Application internal error";
  }
  return "Application internal error";
}

// HL7 DTM in UTC with an explicit offset, e.g. "20260401093000+0000".
std::string FormatTime(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(time);
  const auto day = floor<days>(seconds);
  const year_month_day date(day);
  const hh_mm_ss clock(seconds - day);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}+0000", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

std::string FormatLocation(const ErrorLocation& at, const Delimiters& d) {
  if (at.segment.empty()) return {};
  std::string out = Escape(at.segment, d);
  const int parts[] = {at.sequence, at.field, at.repetition, at.component, at.subcomponent};
  size_t used = 0;  // trailing zero parts are not written
  for (size_t i = 0; i < std::size(parts); ++i) {
    if (parts[i] > 0) used = i + 1;
  }
  for (size_t i = 0; i < used; ++i) {
    out.push_back(d.component);
    if (parts[i] > 0) out += std::to_string(parts[i]);
  }
  return out;
}

// MSA and ERR segments, shared by both builders.
void AppendAcknowledgment(std::vector<SegmentData>& segments, AckCode code, std::string_view original_control_id,
                          const AckDetails& details, const Delimiters& d) {
  SegmentData msa{"MSA", {std::string(AckCodeText(code)), std::string(original_control_id)}};
  if (!details.errors.empty()) msa.fields.push_back(Escape(details.errors.front().message, d));
  segments.push_back(std::move(msa));
  for (const AckError& error : details.errors) {
    const int number = static_cast<int>(error.code);
    std::string code_field = fmt::format("{}{}{}{}HL70357", number, d.component,
                                         Escape(ErrorCodeText(error.code), d), d.component);
    segments.push_back({"ERR",
                        {"", FormatLocation(error.location, d), std::move(code_field), "E", "", "", "",
                         Escape(error.message, d)}});
  }
}

// Drops trailing empty fields, so that the MSH ends at its last value.
void TrimTrailingEmpty(std::vector<std::string>& fields) {
  while (!fields.empty() && fields.back().empty()) fields.pop_back();
}

}  // namespace

std::string BuildAck(const Message& original, AckCode code, const AckDetails& details) {
  const Delimiters& d = original.delimiters();
  const SegmentView msh = original.segment(0);
  auto raw = [&](int field) { return std::string(msh.Field(field)); };
  std::string type = fmt::format("ACK{}{}{}ACK", d.component, original.TriggerEvent(), d.component);
  // Fields from MSH-3 on.
  std::vector<std::string> fields = {
      raw(5), raw(6), raw(3), raw(4),     // MSH-3..6: receiver and sender swapped
      FormatTime(details.time), "",       // MSH-7, MSH-8
      std::move(type),                    // MSH-9
      Escape(details.control_id, d),      // MSH-10
      raw(11), raw(12),                   // processing ID, version
      "", "", "", "", "",                 // MSH-13..17
      raw(18), "", raw(20),               // character set and its handling scheme
  };
  TrimTrailingEmpty(fields);
  std::vector<SegmentData> segments = {{"MSH", std::move(fields)}};
  AppendAcknowledgment(segments, code, msh.Field(10), details, d);
  return Build(segments, d);
}

std::string BuildRejectWithoutHeader(const AckDetails& details) {
  const Delimiters d = Delimiters::Standard();
  std::vector<SegmentData> segments = {
      {"MSH", {"", "", "", "", FormatTime(details.time), "", "ACK", Escape(details.control_id, d), "P", "2.5"}}};
  AppendAcknowledgment(segments, AckCode::kReject, "", details, d);
  return Build(segments, d);
}

StatusOr<Message> ParseMsh(std::string_view text) {
  const size_t line_end = text.find_first_of("\r\n");
  return Parse(std::string(text.substr(0, line_end)));
}

StatusOr<std::string> BuildEncodedAck(const Message& original, AckCode code, const AckDetails& details) {
  std::string ack = BuildAck(original, code, details);
  const DeclaredCharsets declared = ReadDeclaredCharsets(original.text());
  if (!declared.jis_x0208 && !declared.jis_x0201_katakana) return ack;
  auto encoded = text::EncodeIso2022Jp(ack);
  if (!encoded.ok()) return encoded.status().Annotate("ACK cannot be encoded as ISO-2022-JP");
  return std::move(encoded).value();
}

}  // namespace renkei::hl7
