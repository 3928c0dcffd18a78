#include "edge/live_feed.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace renkei::edge {
namespace {

namespace fs = std::filesystem;

hl7::Message Parsed(const std::string& text) {
  auto m = hl7::Parse(text);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

std::string Msh(std::string_view type) {
  return "MSH|^~\\&|HIS|H|GW|R|20240101120000||" + std::string(type) + "|C1|P|2.5\r";
}

TEST(LiveFeedTest, MessageTypesBecomeTheirSsmix2DataTypes) {
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ADT^A08") + "PID|1||1\r")), "ADT-00");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ADT^A04") + "PID|1||1\r")), "ADT-12");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ADT^A11") + "PID|1||1\rPV1|1|O\r")), "ADT-12");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ADT^A11") + "PID|1||1\rPV1|1|I\r")), "ADT-22");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ADT^A03") + "PID|1||1\r")), "ADT-52");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("RDE^O11") + "RXE||1^a^HOT9|1||TAB\rRXR|PO\r")), "OMP-01");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("RDE^O11") + "RXE||1^a^HOT9|1||ML\rRXR|IV\r")), "OMP-02");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("RDE^O11") + "RXE||00^x|1\rRXC|B|1^a^HOT9|1\r")), "OMP-02");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("RAS^O17") + "RXA|0|1|2024|2024|1^a^HOT9\rRXR|PO\r")), "OMP-11");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("OUL^R22") + "OBR|1\r")), "OML-11");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("OMG^O19") + "OBR|1|||1^x^JJ1017\r")), "OMG-01");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("OMG^O19") + "OBR|1|||1^x^LENDO\r")), "OMG-02");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("OMG^O19") + "OBR|1|||9A110^ECG^JC10\r")), "OMG-03");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("OMI^Z23") + "OBR|1|||1^x^LENDO\r")), "OMG-12");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ORU^R01") + "OBR|1\r")), "OMG-13");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ZZZ^Z01"))), "");
  EXPECT_EQ(DataTypeOfMessage(Parsed(Msh("ADT^A99"))), "");
}

class LiveFeedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("renkei-live-" + std::to_string(::getpid()) + ".db");
    fs::remove(path_);
    auto store = store::Store::Open("sqlite:" + path_.string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_.string() + suffix);
  }
  fs::path path_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(LiveFeedStoreTest, AcknowledgesOnlyWhatItKeeps) {
  LiveFeed feed(*store_, log::Logger::Null(), {"1234567890", {}, 1u << 20});
  const std::string visit = Msh("ADT^A04^ADT_A01") + "EVN|A04|20240101120000\rPID|1||P1\rPV1|1|O|||||D1^医師^一郎|||01\r";
  // UTF-8 kanji without MSH-18 UNICODE UTF-8 is not valid ISO-2022-JP: rejected, kept.
  EXPECT_NE(feed.Accept(visit).find("\rMSA|AR|C1|"), std::string::npos);
  EXPECT_EQ(feed.last().outcome, LiveResult::Outcome::kRejected);
  const std::string ascii = Msh("ADT^A04^ADT_A01") + "EVN|A04|20240101120000\rPID|1||P1\rPV1|1|O|||||D1|||01\r";
  EXPECT_NE(feed.Accept(ascii).find("\rMSA|AA|C1\r"), std::string::npos);
  EXPECT_EQ(feed.last().outcome, LiveResult::Outcome::kStored);
  EXPECT_NE(feed.last().path.find("/P1/20240101/ADT-12/P1_20240101_ADT-12_"), std::string::npos) << feed.last().path;
  EXPECT_NE(feed.Accept(ascii).find("\rMSA|AA|C1\r"), std::string::npos);
  EXPECT_EQ(feed.last().outcome, LiveResult::Outcome::kUnchanged);
  EXPECT_NE(feed.Accept(Msh("ADT^A04") + "PID|1||\r").find("\rMSA|AE|C1|"), std::string::npos);
  EXPECT_NE(feed.Accept("not hl7").find("\rMSA|AR||"), std::string::npos);
  EXPECT_EQ(feed.stored(), 2);
  EXPECT_EQ(feed.quarantined(), 3);
  auto events = store_->ListEvents({.patient_id = "P1"});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->events.size(), 1u);
  EXPECT_EQ(events->events[0].event.type, fhir::EventType::kVisit);
  auto quarantine = store_->ListQuarantine(false);
  ASSERT_TRUE(quarantine.ok());
  EXPECT_EQ(quarantine->size(), 3u);
}

}  // namespace
}  // namespace renkei::edge
