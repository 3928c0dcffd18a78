// MLLP framing (HL7 v2 Minimal Lower Layer Protocol, release 2): each message travels as
//
//   0x0B (start block)  message bytes  0x1C (end block)  0x0D (carriage return)
//
// FrameDecoder turns a byte stream, fed in chunks of any size, into the messages it carries
// and a report of everything else in it. It never throws and never asserts on its input: a
// TCP peer may send anything. What it does with each irregularity:
//
//   * a frame split across reads, or several frames in one read: reassembled / separated;
//   * bytes outside a frame (before a start block): skipped, reported once per run with the
//     stream offsets; CR and LF between frames are skipped silently (some senders end a frame
//     with 0x1C 0x0D 0x0A);
//   * 0x1C not followed by 0x0D: the frame still ends at 0x1C (tolerated, not reported);
//   * a frame longer than max_frame_bytes: reported as soon as the limit is passed, its first
//     bytes kept (so that the caller can read its MSH and reject it), the rest skipped up to
//     its end block or the next start block: memory stays bounded whatever the peer sends;
//   * a start block inside a frame (a sender that gave up on a frame and started again): the
//     unfinished frame is dropped and reported, the new frame is read;
//   * the stream ending inside a frame (Finish()): reported as truncated.
//
// Memory: the decoder holds at most max_frame_bytes of an unfinished frame, plus the events of
// the chunks fed since the caller last drained them (each Feed adds at most its own size in
// message bytes, plus one kOversizedHeadBytes head per oversized frame).
//
// A FrameDecoder is a value type for one stream; not thread-safe (one connection owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::mllp {

inline constexpr char kStartBlock = '\x0b';
inline constexpr char kEndBlock = '\x1c';
inline constexpr char kCarriageReturn = '\x0d';

// Frames a message for sending: 0x0B + message + 0x1C 0x0D. The message must not contain
// 0x1C (HL7 text never does: it is a control character, which hl7::Parse rejects).
std::string Encode(std::string_view message);

// One thing the decoder found, in stream order.
struct FrameEvent {
  // OK: `bytes` is one complete message (the bytes between 0x0B and 0x1C). Otherwise what was
  // wrong, with stream byte offsets in the message:
  //   kInvalidArgument    "bytes A-B: N bytes outside a frame skipped"
  //                       "frame at byte A: start block at byte B before its end block; N bytes dropped"
  //   kResourceExhausted  "frame at byte A exceeds the limit of L bytes; skipped up to its end block"
  //   kDataLoss           "frame at byte A: stream ended after N bytes, before its end block"
  Status status;
  // OK: the message. kResourceExhausted: the head of the frame, its first bytes as far as they
  // had arrived when the limit was passed, at most kOversizedHeadBytes (enough for an MSH
  // segment when the limit is not tiny). Otherwise empty.
  std::string bytes;
  // Stream offset of the frame's start block, or of the first skipped byte.
  uint64_t offset = 0;
};

class FrameDecoder {
 public:
  // How much of an oversized frame is kept in its event.
  static constexpr size_t kOversizedHeadBytes = 4096;

  // `max_frame_bytes` bounds the message bytes of one frame (framing bytes not counted).
  explicit FrameDecoder(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  // Consumes a chunk of the stream; the events it completes become available from Next().
  void Feed(std::string_view bytes);
  // Declares the end of the stream: reports a frame left unfinished or a trailing run of
  // bytes outside a frame. Feeding after Finish() starts a new stream at the same offsets.
  void Finish();

  // The oldest event not yet taken, or nullopt when there is none.
  std::optional<FrameEvent> Next();

  // True between a start block and its end block (including while an oversized frame is
  // being skipped): the peer is in the middle of sending a message.
  bool in_frame() const { return state_ != State::kBetweenFrames; }
  // Bytes consumed since construction.
  uint64_t offset() const { return offset_; }

 private:
  enum class State {
    kBetweenFrames,  // looking for a start block
    kInFrame,        // collecting message bytes into frame_
    kSkipping,       // inside an oversized frame, discarding up to its end
  };

  void StartFrame(uint64_t start_offset);
  void ReportSkippedRun();

  // Constant after construction.
  const size_t max_frame_bytes_;

  State state_ = State::kBetweenFrames;
  uint64_t offset_ = 0;           // stream offset of the next byte to be fed
  uint64_t frame_offset_ = 0;     // offset of the current frame's start block
  std::string frame_;             // message bytes of the current frame (kInFrame)
  uint64_t skipped_begin_ = 0;    // first byte of the current run outside a frame
  uint64_t skipped_count_ = 0;    // bytes in that run (0: no run)
  std::deque<FrameEvent> events_;
};

}  // namespace renkei::mllp
