#include "mllp/frame.h"

#include <algorithm>

#include <fmt/format.h>

namespace renkei::mllp {
namespace {

// The bytes that end a run of message bytes: the end block, or a start block that
// interrupts the frame.
constexpr std::string_view kFrameDelimiters("\x0b\x1c", 2);

}  // namespace

std::string Encode(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 3);
  out.push_back(kStartBlock);
  out.append(message);
  out.push_back(kEndBlock);
  out.push_back(kCarriageReturn);
  return out;
}

void FrameDecoder::StartFrame(uint64_t start_offset) {
  state_ = State::kInFrame;
  frame_offset_ = start_offset;
  frame_.clear();
}

void FrameDecoder::ReportSkippedRun() {
  if (skipped_count_ == 0) return;
  events_.push_back({InvalidArgument(fmt::format("bytes {}-{}: {} bytes outside a frame skipped", skipped_begin_,
                                                 skipped_begin_ + skipped_count_ - 1, skipped_count_)),
                     {},
                     skipped_begin_});
  skipped_count_ = 0;
}

void FrameDecoder::Feed(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::kBetweenFrames: {
        const char c = bytes[i];
        if (c == kStartBlock) {
          ReportSkippedRun();
          StartFrame(offset_ + i);
        } else if (skipped_count_ == 0 && (c == '\r' || c == '\n')) {
          // Line ends between frames are how some senders finish a frame: not an error.
        } else {
          if (skipped_count_ == 0) skipped_begin_ = offset_ + i;
          ++skipped_count_;
        }
        ++i;
        break;
      }
      case State::kInFrame: {
        const size_t stop = bytes.find_first_of(kFrameDelimiters, i);
        const size_t end = stop == std::string_view::npos ? bytes.size() : stop;
        const size_t run = end - i;
        if (run > max_frame_bytes_ - frame_.size()) {
          // Keep only the head (for the caller to read the MSH) and skip the rest.
          if (frame_.size() < kOversizedHeadBytes) {
            frame_.append(bytes.substr(i, std::min(run, kOversizedHeadBytes - frame_.size())));
          }
          frame_.resize(std::min(frame_.size(), kOversizedHeadBytes));
          events_.push_back({ResourceExhausted(fmt::format(
                                 "frame at byte {} exceeds the limit of {} bytes; skipped up to its end block",
                                 frame_offset_, max_frame_bytes_)),
                             std::move(frame_), frame_offset_});
          frame_.clear();
          state_ = State::kSkipping;
          i = end;  // the delimiter, if any, is handled in the skipping state
          break;
        }
        frame_.append(bytes.substr(i, run));
        i = end;
        if (stop == std::string_view::npos) break;
        if (bytes[stop] == kEndBlock) {
          events_.push_back({Status::Ok(), std::move(frame_), frame_offset_});
          frame_.clear();
          state_ = State::kBetweenFrames;
        } else {
          events_.push_back({InvalidArgument(fmt::format(
                                 "frame at byte {}: start block at byte {} before its end block; {} bytes dropped",
                                 frame_offset_, offset_ + stop, frame_.size())),
                             {},
                             frame_offset_});
          StartFrame(offset_ + stop);
        }
        ++i;
        break;
      }
      case State::kSkipping: {
        const size_t stop = bytes.find_first_of(kFrameDelimiters, i);
        if (stop == std::string_view::npos) {
          i = bytes.size();
          break;
        }
        if (bytes[stop] == kEndBlock) state_ = State::kBetweenFrames;
        else StartFrame(offset_ + stop);
        i = stop + 1;
        break;
      }
    }
  }
  offset_ += bytes.size();
}

void FrameDecoder::Finish() {
  switch (state_) {
    case State::kBetweenFrames:
      ReportSkippedRun();
      break;
    case State::kInFrame:
      events_.push_back({DataLoss(fmt::format("frame at byte {}: stream ended after {} bytes, before its end block",
                                              frame_offset_, frame_.size())),
                         {},
                         frame_offset_});
      break;
    case State::kSkipping:  // already reported as oversized
      break;
  }
  state_ = State::kBetweenFrames;
  frame_.clear();
}

std::optional<FrameEvent> FrameDecoder::Next() {
  if (events_.empty()) return std::nullopt;
  FrameEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

}  // namespace renkei::mllp
