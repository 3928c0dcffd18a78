// HL7 v2 acknowledgments (original mode): the ACK a receiver sends back for each message.
//
//   MSH|^~\&|<orig MSH-5>|<orig MSH-6>|<orig MSH-3>|<orig MSH-4>|<time>||ACK^<trigger>^ACK|<new id>|<orig MSH-11>|<orig MSH-12>||||||<orig MSH-18>||<orig MSH-20>
//   MSA|AA|<orig MSH-10>                        accepted
//   MSA|AE|<orig MSH-10>|<text>                 or AR, with one ERR segment per error:
//   ERR||PID^1^5^1^1|101^Required field missing^HL70357|E||||<user message>
//
// The ACK uses the original's delimiters, so the fields copied from it are copied raw (still
// escaped) and everything the original held comes back unchanged through hl7::Parse; values
// this module adds (control ID, texts) are escaped. ERR follows HL7 v2.5 (ERR-2 location,
// ERR-3 code from table 0357, ERR-4 severity, ERR-8 user message) whatever MSH-12 says.
//
// The builders are pure: the caller supplies the ACK's control ID and time. They return UTF-8
// text with CR-terminated segments, unframed; BuildEncodedAck also encodes it back into the
// character set the original message declared (ISO-2022-JP for Japanese senders).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "hl7/message.h"

namespace renkei::hl7 {

// MSA-1, original-mode acknowledgment codes (HL7 table 0008).
enum class AckCode {
  kAccept,  // AA: the message was processed (at the edge: durably stored)
  kError,   // AE: the message was read but is in error; the sender should correct and resend it
  kReject,  // AR: rejected: unreadable, of an unsupported type, version or processing ID,
            //     or the receiver cannot process it now
};

// ERR-3, HL7 error codes (table 0357).
enum class ErrorCode {
  kSegmentSequenceError = 100,      // segments out of order, or a required segment missing
  kRequiredFieldMissing = 101,      // a required field is empty
  kDataTypeError = 102,             // a value does not fit its data type (also: text that does not parse)
  kTableValueNotFound = 103,        // a coded value is not in its table
  kUnsupportedMessageType = 200,    // MSH-9 message code not handled by the receiver
  kUnsupportedEventCode = 201,      // MSH-9 trigger event not handled
  kUnsupportedProcessingId = 202,   // MSH-11
  kUnsupportedVersionId = 203,      // MSH-12
  kUnknownKeyIdentifier = 204,      // e.g. an update of a record the receiver does not have
  kDuplicateKeyIdentifier = 205,    // e.g. an insert of a record the receiver already has
  kApplicationRecordLocked = 206,   // the record is busy; try again later
  kApplicationInternalError = 207,  // anything else that went wrong on the receiver's side
};

// ERR-2 (ERL): Segment ID ^ Segment Sequence ^ Field Position ^ Field Repetition ^
// Component Number ^ Sub-Component Number. Numbers that are 0 are left empty; an empty
// `segment` leaves ERR-2 empty.
struct ErrorLocation {
  std::string segment;  // e.g. "PID"
  int sequence = 1;     // which segment with that ID, 1 for the first
  int field = 0;
  int repetition = 0;
  int component = 0;
  int subcomponent = 0;
};

// One ERR segment.
struct AckError {
  ErrorCode code = ErrorCode::kApplicationInternalError;
  ErrorLocation location;
  std::string message;  // ERR-8, for the sender's operator (plain text; escaped when written)
};

// What the receiver adds to an ACK.
struct AckDetails {
  std::string control_id;                       // MSH-10 of the ACK, unique per receiver
  std::chrono::system_clock::time_point time;   // MSH-7, written in UTC: YYYYMMDDHHMMSS+0000
  std::vector<AckError> errors;                 // one ERR segment each; MSA-3 gets the first message
};

// Builds the ACK for `original` (any parsed message whose first segment is its MSH; a header
// from ParseMsh() will do). MSA-2 is the original's MSH-10.
std::string BuildAck(const Message& original, AckCode code, const AckDetails& details);

// Builds the ACK for input with no usable MSH (not HL7, or an MSH that does not parse): AR with
// MSA-2 empty, standard delimiters, MSH-3 to MSH-6 empty, MSH-9 "ACK", MSH-11 "P", MSH-12
// "2.5", no MSH-18, so texts should be ASCII (they are sent as UTF-8).
std::string BuildRejectWithoutHeader(const AckDetails& details);

// Parses the first segment of `text` alone, as an MSH: the header of a message whose body
// does not parse, enough to acknowledge it. Errors as for hl7::Parse on that one line.
StatusOr<Message> ParseMsh(std::string_view text);

// BuildAck, encoded back into the character set the original message declared in MSH-18:
// ISO-2022-JP when it declares ISO IR87 or ISO IR13 (the original was decoded from it with
// DecodeMessageText), otherwise the UTF-8 text as it is (ASCII unless MSH-18 says UNICODE
// UTF-8). Errors: kInvalidArgument from text::EncodeIso2022Jp when a value this ACK carries
// cannot be written in ISO-2022-JP (e.g. an error message with a character outside JIS X 0208).
StatusOr<std::string> BuildEncodedAck(const Message& original, AckCode code, const AckDetails& details);

}  // namespace renkei::hl7
