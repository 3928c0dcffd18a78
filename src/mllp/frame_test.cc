#include "mllp/frame.h"

#include <random>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace renkei::mllp {
namespace {

const std::string kMessageA = "MSH|^~\\&|HIS|H|R|E|20260401||ADT^A08|A1|P|2.5\rPID|1||42\r";
const std::string kMessageB = "MSH|^~\\&|HIS|H|R|E|20260401||ADT^A08|B2|P|2.5\rPID|1||43\r";

std::vector<FrameEvent> Drain(FrameDecoder& decoder) {
  std::vector<FrameEvent> out;
  while (auto event = decoder.Next()) out.push_back(std::move(*event));
  return out;
}

// Feeds `stream` in chunks of `chunk` bytes, then ends it.
std::vector<FrameEvent> DecodeInChunks(std::string_view stream, size_t chunk, size_t max_frame_bytes = 1 << 20) {
  FrameDecoder decoder(max_frame_bytes);
  std::vector<FrameEvent> out;
  for (size_t i = 0; i < stream.size(); i += chunk) {
    decoder.Feed(stream.substr(i, chunk));
    for (FrameEvent& e : Drain(decoder)) out.push_back(std::move(e));
  }
  decoder.Finish();
  for (FrameEvent& e : Drain(decoder)) out.push_back(std::move(e));
  return out;
}

TEST(FrameTest, EncodeWrapsTheMessageInStartAndEndBlocks) {
  EXPECT_EQ(Encode("MSH|x"), "\x0bMSH|x\x1c\r");
  EXPECT_EQ(Encode(""), "\x0b\x1c\r");
}

TEST(FrameTest, ReassemblesFramesSplitAcrossReadsAtEveryChunkSize) {
  const std::string stream = Encode(kMessageA) + Encode(kMessageB);
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    std::vector<FrameEvent> events = DecodeInChunks(stream, chunk);
    ASSERT_EQ(events.size(), 2u) << "chunk " << chunk;
    EXPECT_TRUE(events[0].status.ok()) << events[0].status.ToString();
    EXPECT_EQ(events[0].bytes, kMessageA) << "chunk " << chunk;
    EXPECT_EQ(events[0].offset, 0u);
    EXPECT_TRUE(events[1].status.ok());
    EXPECT_EQ(events[1].bytes, kMessageB) << "chunk " << chunk;
    EXPECT_EQ(events[1].offset, kMessageA.size() + 3);
  }
}

TEST(FrameTest, SeparatesSeveralFramesInOneRead) {
  FrameDecoder decoder(1 << 20);
  decoder.Feed(Encode(kMessageA) + Encode(kMessageB) + Encode(kMessageA) + "\x0bMSH|partial");
  std::vector<FrameEvent> events = Drain(decoder);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].bytes, kMessageA);
  EXPECT_EQ(events[1].bytes, kMessageB);
  EXPECT_EQ(events[2].bytes, kMessageA);
  EXPECT_TRUE(decoder.in_frame());
  decoder.Feed("\x1c\r");
  events = Drain(decoder);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].bytes, "MSH|partial");
  EXPECT_FALSE(decoder.in_frame());
}

TEST(FrameTest, ToleratesAMissingCarriageReturnAndLineEndsBetweenFrames) {
  // 0x1C directly followed by the next start block; then 0x1C CR LF; then CR LF CR LF.
  const std::string stream = "\x0b" + kMessageA + "\x1c" + "\x0b" + kMessageB + "\x1c\r\n" + Encode(kMessageA) +
                             "\r\n\r\n" + Encode(kMessageB);
  std::vector<FrameEvent> events = DecodeInChunks(stream, 7);
  ASSERT_EQ(events.size(), 4u);
  for (const FrameEvent& e : events) EXPECT_TRUE(e.status.ok()) << e.status.ToString();
  EXPECT_EQ(events[0].bytes, kMessageA);
  EXPECT_EQ(events[1].bytes, kMessageB);
  EXPECT_EQ(events[2].bytes, kMessageA);
  EXPECT_EQ(events[3].bytes, kMessageB);
}

TEST(FrameTest, ReportsAndSkipsBytesOutsideFrames) {
  const std::string stream = "GET / HTTP/1.1\r\n" + Encode(kMessageA) + "xx\x1c" + Encode(kMessageB) + "tail";
  std::vector<FrameEvent> events = DecodeInChunks(stream, 5);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(events[0].status.message(), "bytes 0-15: 16 bytes outside a frame skipped");
  EXPECT_EQ(events[0].offset, 0u);
  EXPECT_EQ(events[1].bytes, kMessageA);
  EXPECT_EQ(events[1].offset, 16u);
  const uint64_t junk = 16 + kMessageA.size() + 3;
  EXPECT_EQ(events[2].status.message(), fmt::format("bytes {}-{}: 3 bytes outside a frame skipped", junk, junk + 2));
  EXPECT_EQ(events[3].bytes, kMessageB);
  EXPECT_EQ(events[4].status.code(), StatusCode::kInvalidArgument);  // "tail", reported at the end
  EXPECT_NE(events[4].status.message().find("4 bytes outside a frame"), std::string::npos);
}

TEST(FrameTest, AStartBlockInsideAFrameDropsTheUnfinishedFrame) {
  const std::string stream = "\x0bMSH|abandoned" + Encode(kMessageA);
  std::vector<FrameEvent> events = DecodeInChunks(stream, 4);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(events[0].status.message(), "frame at byte 0: start block at byte 14 before its end block; 13 bytes dropped");
  EXPECT_EQ(events[1].bytes, kMessageA);
  EXPECT_EQ(events[1].offset, 14u);
}

TEST(FrameTest, AStreamEndingInsideAFrameIsReportedAsTruncated) {
  FrameDecoder decoder(1 << 20);
  decoder.Feed(Encode(kMessageA) + "\x0b" + kMessageB.substr(0, 20));
  std::vector<FrameEvent> events = Drain(decoder);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(decoder.in_frame());
  decoder.Finish();
  events = Drain(decoder);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(events[0].status.message(),
            fmt::format("frame at byte {}: stream ended after 20 bytes, before its end block", kMessageA.size() + 3));
  EXPECT_FALSE(decoder.in_frame());
}

TEST(FrameTest, OversizedFrameIsReportedOnceWithItsHeadAndTheStreamResyncs) {
  const size_t limit = 100;
  const std::string big = kMessageA + "OBX|1|TX|||" + std::string(10'000, 'x') + "\r";
  const std::string stream = Encode(big) + Encode(kMessageB);
  for (size_t chunk : {1, 3, 64, 4096, 100'000}) {
    std::vector<FrameEvent> events = DecodeInChunks(stream, chunk, limit);
    ASSERT_EQ(events.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(events[0].status.code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(events[0].status.message(), "frame at byte 0 exceeds the limit of 100 bytes; skipped up to its end block");
    // The head: the frame's first bytes, as many as had arrived when the limit was passed.
    EXPECT_GT(events[0].bytes.size(), limit);
    EXPECT_LE(events[0].bytes.size(), FrameDecoder::kOversizedHeadBytes);
    EXPECT_TRUE(big.starts_with(events[0].bytes));
    EXPECT_EQ(events[0].offset, 0u);
    EXPECT_TRUE(events[1].status.ok());
    EXPECT_EQ(events[1].bytes, kMessageB) << "chunk " << chunk;
  }
  // A frame of exactly the limit is accepted.
  std::vector<FrameEvent> exact = DecodeInChunks(Encode(std::string(limit, 'm')), 7, limit);
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_TRUE(exact[0].status.ok());
}

TEST(FrameTest, OversizedFrameKeepsAtMostTheHeadAndResyncsAtTheNextStartBlock) {
  // 8 MiB in one frame that never ends, then a new frame: memory stays bounded, the new frame is read.
  const size_t limit = 64 * 1024;
  FrameDecoder decoder(limit);
  decoder.Feed("\x0b" + kMessageA);
  const std::string mib(1 << 20, 'z');
  for (int i = 0; i < 8; ++i) decoder.Feed(mib);
  decoder.Feed(Encode(kMessageB));
  std::vector<FrameEvent> events = Drain(decoder);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(events[0].bytes.size(), FrameDecoder::kOversizedHeadBytes);
  EXPECT_EQ(events[0].bytes.substr(0, kMessageA.size()), kMessageA);
  EXPECT_EQ(events[1].bytes, kMessageB);
  EXPECT_EQ(events[1].offset, 1 + kMessageA.size() + 8 * mib.size());
  EXPECT_EQ(decoder.offset(), 1 + kMessageA.size() + 8 * mib.size() + kMessageB.size() + 3);
}

TEST(FrameTest, HostileRandomBytesNeverBreakTheDecoder) {
  // Random bytes, biased towards the framing bytes, fed in random chunks. Whatever comes out,
  // messages are within the limit and hold no framing byte, offsets only grow, and a good frame
  // sent afterwards is still read.
  std::mt19937 rng(20260401);
  const char alphabet[] = {'\x0b', '\x1c', '\r', '\n', 'M', 'S', 'H', '|', '\0', '\xff'};
  const size_t limit = 512;
  for (int round = 0; round < 200; ++round) {
    FrameDecoder decoder(limit);
    std::string stream(std::uniform_int_distribution<size_t>(0, 5000)(rng), '\0');
    for (char& c : stream) {
      c = rng() % 3 == 0 ? alphabet[rng() % sizeof(alphabet)] : static_cast<char>(rng());
    }
    std::vector<FrameEvent> events;
    for (size_t i = 0; i < stream.size();) {
      const size_t n = std::uniform_int_distribution<size_t>(1, 700)(rng);
      decoder.Feed(std::string_view(stream).substr(i, n));
      for (FrameEvent& e : Drain(decoder)) events.push_back(std::move(e));
      i += n;
    }
    // Close any frame left open, then send a good one.
    decoder.Feed("\x1c" + Encode(kMessageA));
    for (FrameEvent& e : Drain(decoder)) events.push_back(std::move(e));
    ASSERT_FALSE(events.empty());
    uint64_t last_offset = 0;
    for (const FrameEvent& e : events) {
      EXPECT_GE(e.offset, last_offset);
      last_offset = e.offset;
      EXPECT_LE(e.bytes.size(), FrameDecoder::kOversizedHeadBytes);
      if (e.status.ok()) {
        EXPECT_LE(e.bytes.size(), limit);
        EXPECT_EQ(e.bytes.find_first_of(std::string("\x0b\x1c", 2)), std::string::npos);
      } else {
        EXPECT_NE(e.status.message().find("byte"), std::string::npos) << e.status.message();
      }
    }
    EXPECT_TRUE(events.back().status.ok());
    EXPECT_EQ(events.back().bytes, kMessageA) << "round " << round;
  }
}

}  // namespace
}  // namespace renkei::mllp
