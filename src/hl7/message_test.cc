#include "hl7/message.h"

#include <gtest/gtest.h>

namespace renkei::hl7 {
namespace {

constexpr std::string_view kRde =
    "MSH|^~\\&|HIS123|SEND|GW|RCV|20110701224603.984||RDE^O11^RDE_O11|20110701000001|P|2.5||||||~ISO IR87||ISO2022-1994\r"
    "PID|0001||9999013^^^^PI||患者^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P||19480405|M\r"
    "RXE||108665201^ダーゼン錠（５mg)^HOT9|1||TAB^錠^MR9P\r"
    "TQ1|1||1013044400000000&内服・経口・１日３回朝昼夕食後&JAMISDP01|||5^d|2011070100\r";

TEST(Hl7ParseTest, IndexesSegmentsFieldsComponentsAndRepetitions) {
  auto m = Parse(std::string(kRde));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->segment_count(), 4u);
  EXPECT_EQ(m->segment(0).Field(1), "|");
  EXPECT_EQ(m->segment(0).Field(2), "^~\\&");
  EXPECT_EQ(m->segment(0).Field(3), "HIS123");
  EXPECT_EQ(m->MessageCode(), "RDE");
  EXPECT_EQ(m->TriggerEvent(), "O11");
  EXPECT_EQ(m->Get("MSH", 12), "2.5");
  EXPECT_EQ(m->Get("MSH", 18, 2), "ISO IR87");
  EXPECT_EQ(m->Get("PID", 3), "9999013");
  EXPECT_EQ(m->Get("PID", 3, 1, 5), "PI");
  EXPECT_EQ(m->Get("PID", 5, 1, 1), "患者");
  EXPECT_EQ(m->Get("PID", 5, 2, 2), "タロウ");
  EXPECT_EQ(m->Get("PID", 5, 2, 7), "L");
  EXPECT_EQ(m->Get("PID", 5, 3, 1), "");  // absent repetition
  EXPECT_EQ(m->Get("PID", 99), "");
  EXPECT_EQ(m->Get("TQ1", 3, 1, 1, 2), "内服・経口・１日３回朝昼夕食後");
  EXPECT_EQ(m->Get("ZZZ", 1), "");
  EXPECT_EQ(RepetitionCount(m->segment(1).Field(5), m->delimiters()), 2);
  EXPECT_EQ(m->FindSegment("RXE"), 2u);
  EXPECT_EQ(m->FindSegment("RXE", 1), Message::npos);
}

TEST(Hl7ParseTest, AcceptsCrLfCrLfTerminatorsBlankLinesAndMllpFraming) {
  const std::string base = "MSH|^~\\&|A|B\rPID|1||42\rPV1|1|O\r";
  for (std::string text : {base, std::string("MSH|^~\\&|A|B\nPID|1||42\nPV1|1|O\n"),
                           std::string("MSH|^~\\&|A|B\r\nPID|1||42\r\n\r\nPV1|1|O"),
                           std::string("\x0bMSH|^~\\&|A|B\rPID|1||42\rPV1|1|O\r\x1c\r")}) {
    auto m = Parse(text);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->segment_count(), 3u);
    EXPECT_EQ(m->Get("PID", 3), "42");
    EXPECT_EQ(m->Get("PV1", 2), "O");
    EXPECT_EQ(Encode(*m), base);
  }
}

TEST(Hl7ParseTest, HonoursDelimitersDeclaredInMsh) {
  auto m = Parse("MSH#:*!@#A#B\rPID#1##x:y*z:w@v!F!\r");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->delimiters().field, '#');
  EXPECT_EQ(m->Get("PID", 3, 1, 2), "y");
  EXPECT_EQ(m->Get("PID", 3, 2, 2, 2), "v#");  // !F! is the field separator, escaped
  EXPECT_EQ(m->Get("PID", 3, 2, 1), "z");
}

TEST(Hl7ParseTest, ResolvesEscapeSequences) {
  auto m = Parse("MSH|^~\\&|A\rOBX|1|TX|x||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X4142\\g\\.br\\h\\H\\i\\N\\\\Zlocal\\\r");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Get("OBX", 5), "a|b^c&d~e\\fABg\nhi\\Zlocal\\");
}

TEST(Hl7ParseTest, EscapeIsTheInverseOfUnescape) {
  const Delimiters d;
  for (std::string_view v : {"plain", "a|b^c~d&e\\f", "line1\nline2", "\\E\\ literal", ""}) {
    EXPECT_EQ(Unescape(Escape(v, d), d), v);
  }
  std::string cr = Escape("a\rb", d);
  EXPECT_EQ(cr.find('\r'), std::string::npos);
  EXPECT_EQ(Unescape(cr, d), "a\rb");
}

TEST(Hl7ParseTest, BuildAndParseAgree) {
  Delimiters d;
  std::string text = Build({{"MSH", {"APP", "FAC", "", "", "20260101", "", "ADT^A08^ADT_A01", "1", "P", "2.5"}},
                            {"PID", {"1", "", Escape("id|1", d) + "^^^^PI", "", "山田^太郎"}}},
                           d);
  auto m = Parse(text);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Get("PID", 3), "id|1");
  EXPECT_EQ(m->Get("PID", 5, 1, 2), "太郎");
  EXPECT_EQ(m->MessageCode(), "ADT");
  EXPECT_EQ(Encode(*m), text);
}

TEST(Hl7ParseTest, RoundTripsSegmentsWithTrailingEmptyFieldsAndNoFields) {
  std::string text = "MSH|^~\\&|A||\rAL1\rPID|||\rOBX|1|NM|aaa|bbb\r";
  auto m = Parse(text);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->segment(1).field_count(), 0);
  EXPECT_EQ(m->segment(2).field_count(), 3);
  EXPECT_EQ(Encode(*m), text);
}

struct BadCase {
  std::string input;
  std::string expected;  // substring of the error
};

TEST(Hl7ParseTest, RejectsMalformedInputWithPreciseErrors) {
  const std::vector<BadCase> cases = {
      {"", "empty message"},
      {"\r\n\x1c", "empty message"},
      {"PID|1\r", "does not start with an MSH"},
      {"MSH|^~", "too short"},
      {"MSH|^~\\|A|B\r", "MSH-2 must hold 4 encoding characters, found 3"},
      {"MSH|^^\\&|A|B\r", "delimiter '^' declared twice"},
      {"MSHA^~\\&AB\r", "invalid delimiter"},
      {"MSH|^~\\&|A\rpid|1\r", "segment 2 (pid), byte 11: invalid segment id 'pid'"},
      {"MSH|^~\\&|A\rPIDX|1\r", "invalid segment id 'PIDX'"},
      {"MSH|^~\\&|A\r|1\r", "invalid segment id ''"},
      {"MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B\r", "segment 3 (MSH), byte 17: second MSH segment"},
      {"MSH|^~\\&|A\rPID|1||a^b\\Q\\c\r", "segment 2 (PID), field 3, component 2, byte 21: unknown escape sequence \\Q\\"},
      {"MSH|^~\\&|A\rPID|1||a~b^c\\X4\\\r", "field 3, repetition 2, component 2, byte 23: unknown escape sequence \\X4\\"},
      {"MSH|^~\\&|A\rPID|1||abc\\F\r", "field 3, component 1, byte 21: unterminated escape sequence"},
      {"MSH|^~\\&|A\rPID|1||ab\\F^x\\\r", "unterminated escape sequence"},
      {std::string("MSH|^~\\&|A\rPID|1||a\0b\r", 22), "control byte 0x00 inside a field"},
      {"MSH|^~\\&|A\rPID|1||a\x1c" "b\r", "control byte 0x1C inside a field"},
  };
  for (const BadCase& c : cases) {
    auto m = Parse(c.input);
    ASSERT_FALSE(m.ok()) << "accepted: " << c.input;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(m.status().message().find(c.expected), std::string::npos)
        << "input: " << c.input << "\n got: " << m.status().message() << "\n want: " << c.expected;
  }
}

TEST(Hl7ParseTest, TruncatedMessagesNeverCrashAndKeepWhatIsComplete) {
  std::string full(kRde);
  for (size_t n = 0; n <= full.size(); ++n) {
    auto m = Parse(full.substr(0, n));
    if (n < 8) {
      EXPECT_FALSE(m.ok()) << n;
    } else if (m.ok()) {
      EXPECT_LE(m->segment_count(), 4u);
      EXPECT_EQ(m->segment(0).name(), "MSH");
    }
  }
}

TEST(Hl7ParseTest, EnforcesSizeLimits) {
  Limits limits;
  limits.max_bytes = 1024;
  auto big = Parse("MSH|^~\\&|A\rOBX|1|TX|x||" + std::string(2000, 'a') + "\r", limits);
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);

  std::string many = "MSH|^~\\&|A\r";
  for (int i = 0; i < 200; ++i) many += "NTE|1\r";
  limits = Limits{};
  limits.max_segments = 100;
  EXPECT_EQ(Parse(many, limits).status().code(), StatusCode::kResourceExhausted);

  limits = Limits{};
  limits.max_fields_per_segment = 50;
  EXPECT_EQ(Parse("MSH|^~\\&|A\rNTE" + std::string(60, '|') + "\r", limits).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(Hl7ParseTest, ParsesAnOversizedButAllowedMessage) {
  std::string text = "MSH|^~\\&|A\r";
  for (int i = 0; i < 50'000; ++i) text += "OBX|" + std::to_string(i) + "|NM|3A010^総蛋白^JC10||7.2|g/dL\r";
  auto m = Parse(text);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->segment_count(), 50'001u);
  EXPECT_EQ(m->GetAt(50'000, 1), "49999");
  EXPECT_EQ(Encode(*m), text);
}

}  // namespace
}  // namespace renkei::hl7
