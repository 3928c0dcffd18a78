// The server against an MLLP client we did not write: `mllp_send` from python-hl7 (Debian's
// python3-hl7, installed by scripts/install-deps.sh). It frames each message of a file, sends
// it, waits for the reply and prints the reply's raw bytes on a line of its own.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hl7/ack.h"
#include "hl7/charset.h"
#include "hl7/message.h"
#include "mllp/frame.h"
#include "mllp/server.h"
#include "text/iso2022jp.h"

namespace renkei::mllp {
namespace {

constexpr const char* kMllpSend = "/usr/bin/mllp_send";

// What the edge's handler does, in miniature: decode the bytes as MSH-18 declares, parse,
// keep, and acknowledge in the sender's character set; reject what cannot be read, naming the
// message when its MSH can be read.
class StoringHandler {
 public:
  std::string operator()(std::string_view bytes) {
    hl7::AckDetails details{fmt::format("EDGE{}", ++acks_), std::chrono::system_clock::now(), {}};
    auto text = hl7::DecodeMessageText(bytes);
    auto message = text.ok() ? hl7::Parse(*text) : StatusOr<hl7::Message>(text.status());
    if (message.ok()) {
      {
        std::lock_guard lock(mutex_);
        stored_.push_back(*message);
      }
      auto ack = hl7::BuildEncodedAck(*message, hl7::AckCode::kAccept, details);
      return ack.ok() ? *ack : hl7::BuildRejectWithoutHeader(details);
    }
    details.errors.push_back({hl7::ErrorCode::kDataTypeError, {}, message.status().message()});
    auto header = hl7::ParseMsh(text.ok() ? *text : std::string(bytes));
    if (header.ok()) {
      auto ack = hl7::BuildEncodedAck(*header, hl7::AckCode::kError, details);
      if (ack.ok()) return *ack;
    }
    return hl7::BuildRejectWithoutHeader(details);
  }

  std::vector<hl7::Message> stored() {
    std::lock_guard lock(mutex_);
    return stored_;
  }

 private:
  std::atomic<int> acks_{0};
  std::mutex mutex_;
  std::vector<hl7::Message> stored_;
};

std::string Adt(std::string_view control_id, std::string_view msh18 = "", std::string_view facility = "HOSP",
                std::string_view name = "DOE^JOHN") {
  return fmt::format(
      "MSH|^~\\&|HIS|{}|RENKEI|EDGE|20260401093000||ADT^A08^ADT_A01|{}|P|2.5||||||{}\r"
      "EVN|A08|20260401093000\r"
      "PID|1||9999013^^^^PI||{}||19480405|M\r",
      facility, control_id, msh18, name);
}

// Runs mllp_send on a file holding `messages` (framed, as it expects) and returns what it
// printed; fails the test when it cannot run or exits non-zero.
std::string RunMllpSend(uint16_t port, const std::vector<std::string>& messages, int file_number) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     fmt::format("renkei-mllp-send-{}-{}.hl7", ::getpid(), file_number);
  {
    std::ofstream out(path, std::ios::binary);
    for (const std::string& m : messages) out << Encode(m);
  }
  const std::string command = fmt::format("{} --port {} --file {} 127.0.0.1 2>&1", kMllpSend, port, path.string());
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (pipe != nullptr) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    EXPECT_EQ(::pclose(pipe), 0) << command << "\n" << output;
  }
  std::filesystem::remove(path);
  return output;
}

// The ACKs in mllp_send's output: each is printed framed, followed by a newline.
std::vector<std::string> AcksIn(std::string_view output) {
  FrameDecoder decoder(1 << 20);
  decoder.Feed(output);
  decoder.Finish();
  std::vector<std::string> acks;
  while (auto event = decoder.Next()) {
    EXPECT_TRUE(event->status.ok()) << event->status.ToString() << "\nin output:\n" << output;
    if (event->status.ok()) acks.push_back(std::move(event->bytes));
  }
  return acks;
}

void RequireMllpSend() {
  ASSERT_EQ(::access(kMllpSend, X_OK), 0)
      << kMllpSend << " (Debian package python3-hl7) is missing: run scripts/install-deps.sh";
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  return options;
}

TEST(MllpSendTest, AcknowledgesAsciiAndIso2022JpMessagesAndRejectsMalformedOnes) {
  RequireMllpSend();
  StoringHandler handler;
  auto server = MllpServer::Start(TestOptions(), std::ref(handler), log::Logger::Null());
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  auto japanese = text::EncodeIso2022Jp(Adt("JP-2", "~ISO IR87|ISO 2022-1994", "岡山病院", "患者^太郎"));
  ASSERT_TRUE(japanese.ok()) << japanese.status().ToString();
  const std::vector<std::string> messages = {
      Adt("ASCII-1"),
      *japanese,
      Adt("BAD-3", "", "HOSP", "broken\\Q\\escape"),  // an unknown escape sequence: does not parse
      "HELLO, THIS IS NOT HL7",
  };
  const std::string output = RunMllpSend((*server)->port(), messages, 1);
  const std::vector<std::string> acks = AcksIn(output);
  ASSERT_EQ(acks.size(), 4u) << output;

  EXPECT_NE(acks[0].find("\rMSA|AA|ASCII-1\r"), std::string::npos) << acks[0];

  // The Japanese sender's ACK comes back in ISO-2022-JP, with its facility name in MSH-6.
  EXPECT_NE(acks[1].find("\rMSA|AA|JP-2\r"), std::string::npos) << acks[1];
  EXPECT_NE(acks[1].find("|\x1b$B2,;3IB1!\x1b(B|"), std::string::npos) << acks[1];
  auto decoded_ack = hl7::DecodeMessageText(acks[1]);
  ASSERT_TRUE(decoded_ack.ok()) << decoded_ack.status().ToString();
  auto ack = hl7::Parse(*decoded_ack);
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(ack->Get("MSH", 6), "岡山病院");
  EXPECT_EQ(ack->Get("MSH", 18, 2), "ISO IR87");

  EXPECT_NE(acks[2].find("\rMSA|AE|BAD-3|"), std::string::npos) << acks[2];
  EXPECT_NE(acks[2].find("unknown escape sequence"), std::string::npos) << acks[2];
  EXPECT_NE(acks[3].find("\rMSA|AR||"), std::string::npos) << acks[3];

  (*server)->Stop();
  // The bytes arrived intact: the Japanese names decode as they were sent.
  const std::vector<hl7::Message> stored = handler.stored();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].Get("PID", 5, 1, 1), "DOE");
  EXPECT_EQ(stored[1].Get("MSH", 4), "岡山病院");
  EXPECT_EQ(stored[1].Get("PID", 5, 1, 1), "患者");
  EXPECT_EQ(stored[1].Get("PID", 5, 1, 2), "太郎");
}

TEST(MllpSendTest, ConcurrentSendersAreEachAnsweredInOrder) {
  RequireMllpSend();
  constexpr int kSenders = 4;
  constexpr int kMessagesEach = 25;
  StoringHandler handler;
  auto server = MllpServer::Start(TestOptions(), std::ref(handler), log::Logger::Null());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  std::vector<std::future<std::string>> outputs;
  for (int s = 0; s < kSenders; ++s) {
    std::vector<std::string> messages;
    for (int i = 0; i < kMessagesEach; ++i) messages.push_back(Adt(fmt::format("C{}-{}", s, i)));
    outputs.push_back(std::async(std::launch::async, RunMllpSend, (*server)->port(), messages, 100 + s));
  }
  for (int s = 0; s < kSenders; ++s) {
    const std::string output = outputs[s].get();
    const std::vector<std::string> acks = AcksIn(output);
    ASSERT_EQ(acks.size(), static_cast<size_t>(kMessagesEach)) << output;
    for (int i = 0; i < kMessagesEach; ++i) {
      EXPECT_NE(acks[i].find(fmt::format("\rMSA|AA|C{}-{}\r", s, i)), std::string::npos) << acks[i];
    }
  }
  (*server)->Stop();
  EXPECT_EQ(handler.stored().size(), static_cast<size_t>(kSenders * kMessagesEach));
}

}  // namespace
}  // namespace renkei::mllp
