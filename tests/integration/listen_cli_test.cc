// `renkei edge listen`: the live feed over MLLP, driven by an HL7 client we did not write
// (mllp_send from Debian's python3-hl7), against the real binary and its SQLite store.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "renkei_cli.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using renkei::testing::Result;
using renkei::testing::RunJson;
using renkei::testing::RunRenkei;
using renkei::testing::Slurp;

const fs::path kPatient = fs::path(RENKEI_SHARED_DATA_DIR) / "ssmix2-nho/sampleData/999/901/9999013";
constexpr const char* kMllpSend = "/usr/bin/mllp_send";

// The message of the first file in a sample folder as a sender frames it: segments ended by
// CR alone, without the 0x1C that some sample files end with.
std::string FirstFile(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string text = Slurp(e.path());
    std::string out;
    for (char c : text) {
      if (c == '\x1c') continue;
      if (c == '\n') {
        if (out.empty() || out.back() != '\r') out += '\r';
      } else {
        out += c;
      }
    }
    return out;
  }
  return {};
}

std::string Frame(const std::string& message) { return "\x0b" + message + "\x1c\r"; }

class ListenCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kMllpSend)) << kMllpSend << " is missing: run scripts/install-deps.sh (python3-hl7)";
    dir_ = fs::temp_directory_path() / fmt::format("renkei-listen-{}-{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    port_ = server_.Start(dir_, "listen", {"edge", "listen", "--listen", "127.0.0.1:0", "--facility", "1234567890",
                                           "--log-level", "warn"});
    ASSERT_NE(port_, 0) << Slurp(dir_ / "listen.err");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Stops the listener as an operator would (Ctrl-C) and returns its exit code.
  int Stop() { return server_.Stop(); }

  // Sends framed messages with mllp_send; returns the ACKs it printed (decoded from the
  // ISO-2022-JP the edge answers in when the message declared it).
  std::vector<std::string> Send(const std::vector<std::string>& messages, const std::string& name = "in") {
    std::string file;
    for (const std::string& m : messages) file += Frame(m);
    std::ofstream(dir_ / (name + ".hl7"), std::ios::binary) << file;
    const std::string cmd = fmt::format("{} --file '{}' -p {} 127.0.0.1 > '{}' 2>&1", kMllpSend,
                                        (dir_ / (name + ".hl7")).string(), port_, (dir_ / (name + ".ack")).string());
    EXPECT_EQ(std::system(cmd.c_str()), 0) << Slurp(dir_ / (name + ".ack"));
    std::vector<std::string> acks;
    const std::string out = Slurp(dir_ / (name + ".ack"));
    for (size_t p = out.find('\x0b'); p != std::string::npos; p = out.find('\x0b', p + 1)) {
      acks.push_back(out.substr(p + 1, out.find('\x1c', p) - p - 1));
    }
    return acks;
  }

  fs::path dir_;
  renkei::testing::BackgroundRenkei server_;
  int port_ = 0;
};

TEST_F(ListenCliTest, StoresAcknowledgesAndQuarantinesLikeFiles) {
  const std::string patient = FirstFile(kPatient / "-/ADT-00");
  const std::string prescription = FirstFile(kPatient / "20110701/OMP-01");
  const std::string lab = FirstFile(kPatient / "20111220/OML-11");
  const std::string unknown_type = "MSH|^~\\&|HIS|H|GW|R|20240101120000||ZZZ^Z01|CTRL-Z|P|2.5\rPID|1||123\r";
  const std::string no_patient = "MSH|^~\\&|HIS|H|GW|R|20240101120000||ADT^A04^ADT_A01|CTRL-NP|P|2.5\rPID|1||\rPV1|1|O\r";
  const std::string garbage = "MSH|^~\\&|HIS|H|GW|R|20240101||ADT^A04|CTRL-G|P|2.5\rP\x01D|1\r";
  std::vector<std::string> acks = Send({patient, prescription, lab, unknown_type, no_patient, garbage});
  ASSERT_EQ(acks.size(), 6u);
  EXPECT_NE(acks[0].find("\rMSA|AA|20111220000001"), std::string::npos) << acks[0];
  EXPECT_NE(acks[1].find("\rMSA|AA|20110701000001"), std::string::npos) << acks[1];
  EXPECT_NE(acks[2].find("\rMSA|AA|20111220131032"), std::string::npos) << acks[2];
  EXPECT_NE(acks[3].find("\rMSA|AR|CTRL-Z|"), std::string::npos) << acks[3];
  EXPECT_NE(acks[3].find("is not one the edge keeps"), std::string::npos) << acks[3];
  EXPECT_NE(acks[4].find("\rMSA|AE|CTRL-NP|hl7_syntax: PID-3 (the patient ID) is empty"), std::string::npos) << acks[4];
  EXPECT_NE(acks[5].find("\rMSA|AR|CTRL-G|"), std::string::npos) << acks[5];
  // Sending the same again changes nothing.
  acks = Send({prescription}, "again");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_NE(acks[0].find("\rMSA|AA|"), std::string::npos) << acks[0];
  EXPECT_EQ(Stop(), 0) << Slurp(dir_ / "listen.err");
  EXPECT_NE(Slurp(dir_ / "listen.out").find("Stopped: 4 messages stored, 3 quarantined"), std::string::npos)
      << Slurp(dir_ / "listen.out");

  // The messages are records like any SS-MIX2 file: events, demographics, quarantine.
  json events = RunJson(dir_, "edge events --patient 9999013 --json --log-level off")["events"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "prescription");
  json lab_events = RunJson(dir_, "edge events --patient 0001000052 --json --log-level off")["events"];
  ASSERT_EQ(lab_events.size(), 1u);
  EXPECT_EQ(lab_events[0]["title"], "検査結果: A/G比 1.7 他2項目");
  json patients = RunJson(dir_, "edge patients --json --log-level off");
  EXPECT_NE(patients.dump().find("カンジャ"), std::string::npos) << patients.dump();
  json quarantine = RunJson(dir_, "edge quarantine list --json --log-level off");
  EXPECT_EQ(quarantine.dump().find("CTRL"), std::string::npos) << "the listing shows reasons, not content";
  std::string reasons = quarantine.dump();
  EXPECT_NE(reasons.find("unknown_data_type"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("hl7_syntax"), std::string::npos) << reasons;
}

TEST_F(ListenCliTest, ConcurrentSendersAreEachAcknowledgedOnce) {
  std::vector<std::thread> senders;
  std::vector<std::vector<std::string>> acks(4);
  for (int s = 0; s < 4; ++s) {
    senders.emplace_back([&, s] {
      std::vector<std::string> messages;
      for (int i = 0; i < 10; ++i) {
        messages.push_back(fmt::format(
            "MSH|^~\\&|HIS|H{0}|GW|R|2024010112{1:02d}00||ADT^A04^ADT_A01|S{0}-{1}|P|2.5||||||UNICODE UTF-8\r"
            "EVN|A04|2024010112{1:02d}00\rPID|1||P{0}{1:02d}||山田^太郎^^^^^L^I\rPV1|1|O|||||D1^医師^一郎|||01||||||||||||||||||||||||||||||2024010112{1:02d}00\r",
            s, i));
      }
      acks[s] = Send(messages, fmt::format("sender{}", s));
    });
  }
  for (auto& t : senders) t.join();
  for (int s = 0; s < 4; ++s) {
    ASSERT_EQ(acks[s].size(), 10u) << s;
    for (int i = 0; i < 10; ++i) EXPECT_NE(acks[s][i].find(fmt::format("\rMSA|AA|S{}-{}\r", s, i)), std::string::npos);
  }
  EXPECT_EQ(Stop(), 0);
  int visits = 0;
  for (int s = 0; s < 4; ++s) {
    for (int i = 0; i < 10; ++i) {
      json e = RunJson(dir_, fmt::format("edge events --patient P{}{:02d} --json --log-level off", s, i))["events"];
      visits += static_cast<int>(e.size());
      if (!e.empty()) {
        EXPECT_EQ(e[0]["type"], "visit");
      }
    }
  }
  EXPECT_EQ(visits, 40);
}

}  // namespace
