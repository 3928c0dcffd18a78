#include "hl7/ack.h"

#include <gtest/gtest.h>

#include "hl7/charset.h"
#include "text/iso2022jp.h"

namespace renkei::hl7 {
namespace {

using namespace std::chrono;

// 2026-04-01 09:30:05.999 UTC: the ACK writes whole seconds.
const system_clock::time_point kTime = sys_days{year{2026} / 4 / 1} + 9h + 30min + 5s + 999ms;

const std::string kAdt =
    "MSH|^~\\&|HIS|OKAYAMA|RENKEI|EDGE1|20260401092959||ADT^A08^ADT_A01|MSG00042|P|2.5||||||~ISO IR87||ISO 2022-1994\r"
    "EVN|A08|20260401092959\r"
    "PID|1||9999013^^^^PI||患者^太郎^^^^^L^I||19480405|M\r";

Message ParseOrDie(const std::string& text) {
  auto m = Parse(text);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(AckTest, AcceptSwapsSenderAndReceiverAndEchoesTheControlId) {
  const Message original = ParseOrDie(kAdt);
  const std::string text = BuildAck(original, AckCode::kAccept, {"ACK00001", kTime, {}});
  const Message ack = ParseOrDie(text);
  EXPECT_EQ(ack.segment_count(), 2u);
  EXPECT_EQ(ack.Get("MSH", 3), "RENKEI");
  EXPECT_EQ(ack.Get("MSH", 4), "EDGE1");
  EXPECT_EQ(ack.Get("MSH", 5), "HIS");
  EXPECT_EQ(ack.Get("MSH", 6), "OKAYAMA");
  EXPECT_EQ(ack.Get("MSH", 7), "20260401093005+0000");
  EXPECT_EQ(ack.segment(0).Field(9), "ACK^A08^ACK");
  EXPECT_EQ(ack.Get("MSH", 10), "ACK00001");
  EXPECT_EQ(ack.Get("MSH", 11), "P");
  EXPECT_EQ(ack.Get("MSH", 12), "2.5");
  EXPECT_EQ(ack.segment(0).Field(18), "~ISO IR87");
  EXPECT_EQ(ack.Get("MSH", 20), "ISO 2022-1994");
  EXPECT_EQ(ack.segment(1).name(), "MSA");
  EXPECT_EQ(ack.Get("MSA", 1), "AA");
  EXPECT_EQ(ack.Get("MSA", 2), "MSG00042");
  EXPECT_EQ(ack.segment(1).field_count(), 2);  // no MSA-3 text when accepted
  EXPECT_EQ(ack.FindSegment("ERR"), Message::npos);
  // Nothing of the original's body (patient data) is echoed.
  EXPECT_EQ(text.find("9999013"), std::string::npos);
  EXPECT_EQ(text.find("患者"), std::string::npos);
}

TEST(AckTest, ErrorsBecomeMsa3AndOneErrSegmentEach) {
  const Message original = ParseOrDie(kAdt);
  AckDetails details{"ACK00002", kTime, {}};
  details.errors.push_back({ErrorCode::kRequiredFieldMissing, {"PID", 1, 5, 2, 1, 0}, "PID-5 family name is empty"});
  details.errors.push_back({ErrorCode::kDataTypeError, {"OBX", 2, 3, 0, 2, 0}, "bad | value ^ with\nline & ~"});
  details.errors.push_back({ErrorCode::kApplicationInternalError, {}, "store unavailable"});
  const Message ack = ParseOrDie(BuildAck(original, AckCode::kError, details));
  EXPECT_EQ(ack.Get("MSA", 1), "AE");
  EXPECT_EQ(ack.Get("MSA", 2), "MSG00042");
  EXPECT_EQ(ack.Get("MSA", 3), "PID-5 family name is empty");
  const std::vector<size_t> errs = ack.FindAll("ERR");
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_EQ(ack.segment(errs[0]).Field(2), "PID^1^5^2^1");
  EXPECT_EQ(ack.segment(errs[0]).Field(3), "101^Required field missing^HL70357");
  EXPECT_EQ(ack.GetAt(errs[0], 4), "E");
  EXPECT_EQ(ack.GetAt(errs[0], 8), "PID-5 family name is empty");
  EXPECT_EQ(ack.segment(errs[1]).Field(2), "OBX^2^3^^2");
  EXPECT_EQ(ack.GetAt(errs[1], 3, 1, 1), "102");
  EXPECT_EQ(ack.GetAt(errs[1], 8), "bad | value ^ with\nline & ~");  // escaped on the way out
  EXPECT_EQ(ack.segment(errs[2]).Field(2), "");
  EXPECT_EQ(ack.GetAt(errs[2], 3, 1, 1), "207");
  EXPECT_EQ(ack.GetAt(errs[2], 3, 1, 2), "Application internal error");
  EXPECT_EQ(ack.GetAt(errs[2], 3, 1, 3), "HL70357");

  const Message reject = ParseOrDie(BuildAck(original, AckCode::kReject, {"ACK00003", kTime, {}}));
  EXPECT_EQ(reject.Get("MSA", 1), "AR");
}

TEST(AckTest, EverythingCopiedRoundTripsWithTheOriginalsDelimiters) {
  // Unusual delimiters (field '#', component ':', repetition '*', escape '!', subcomponent '@')
  // and escaped values: copied raw, they must read back exactly as in the original.
  const Message original = ParseOrDie(
      "MSH#:*!@#SEND!F!APP:x@y#岡山:病院#RCV*ALT#FAC!E!#20260401##ORU:R01:ORU_R01#ID!S!1#T:A#2.5.1######UNICODE UTF-8\r"
      "PID#1\r");
  const Message ack = ParseOrDie(BuildAck(original, AckCode::kAccept, {"NEW#ID:1|2", kTime, {}}));
  EXPECT_EQ(ack.delimiters().field, '#');
  EXPECT_EQ(ack.delimiters().escape, '!');
  const std::pair<int, int> copied[] = {{3, 5}, {4, 6}, {5, 3}, {6, 4}, {11, 11}, {12, 12}, {18, 18}};
  for (auto [ack_field, original_field] : copied) {
    EXPECT_EQ(ack.segment(0).Field(ack_field), original.segment(0).Field(original_field)) << ack_field;
  }
  EXPECT_EQ(ack.Get("MSH", 3, 1), "RCV");
  EXPECT_EQ(ack.Get("MSH", 3, 2), "ALT");
  EXPECT_EQ(ack.Get("MSH", 4), "FAC!");
  EXPECT_EQ(ack.Get("MSH", 5, 1, 1), "SEND#APP");
  EXPECT_EQ(ack.Get("MSH", 5, 1, 2, 2), "y");
  EXPECT_EQ(ack.Get("MSH", 6, 1, 2), "病院");
  EXPECT_EQ(ack.segment(0).Field(9), "ACK:R01:ACK");
  EXPECT_EQ(ack.Get("MSH", 10), "NEW#ID:1|2");  // the new control ID is escaped
  EXPECT_EQ(ack.Get("MSH", 11, 1, 2), "A");
  EXPECT_EQ(ack.Get("MSH", 18), "UNICODE UTF-8");
  EXPECT_EQ(ack.Get("MSA", 2), "ID:1");
  EXPECT_EQ(ack.segment(1).Field(2), original.segment(0).Field(10));
}

TEST(AckTest, RejectWithoutHeaderLeavesMsa2Empty) {
  AckDetails details{"ACK00004", kTime, {{ErrorCode::kDataTypeError, {}, "not an HL7 message: no MSH"}}};
  const Message ack = ParseOrDie(BuildRejectWithoutHeader(details));
  EXPECT_EQ(ack.Get("MSH", 3), "");
  EXPECT_EQ(ack.Get("MSH", 7), "20260401093005+0000");
  EXPECT_EQ(ack.segment(0).Field(9), "ACK");
  EXPECT_EQ(ack.Get("MSH", 10), "ACK00004");
  EXPECT_EQ(ack.Get("MSH", 11), "P");
  EXPECT_EQ(ack.Get("MSH", 12), "2.5");
  EXPECT_EQ(ack.Get("MSA", 1), "AR");
  EXPECT_EQ(ack.segment(1).Field(2), "");
  EXPECT_EQ(ack.Get("MSA", 3), "not an HL7 message: no MSH");
  EXPECT_EQ(ack.Get("ERR", 3), "102");
  EXPECT_EQ(ack.Get("ERR", 8), "not an HL7 message: no MSH");
}

TEST(AckTest, ParseMshReadsTheHeaderOfAMessageWhoseBodyDoesNotParse) {
  const std::string broken = "MSH|^~\\&|HIS|H|R|E|20260401||ADT^A08|CTL7|P|2.5\rPID|1||a\\Q\\b\r";
  ASSERT_FALSE(Parse(broken).ok());
  auto header = ParseMsh(broken);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->segment_count(), 1u);
  EXPECT_EQ(header->Get("MSH", 10), "CTL7");
  const Message ack = ParseOrDie(BuildAck(*header, AckCode::kError, {"A1", kTime, {}}));
  EXPECT_EQ(ack.Get("MSA", 2), "CTL7");

  EXPECT_FALSE(ParseMsh("PID|1\rMSH|^~\\&|A\r").ok());
  EXPECT_FALSE(ParseMsh("garbage").ok());
  EXPECT_FALSE(ParseMsh("").ok());
  EXPECT_FALSE(ParseMsh("MSH|^~\\&|A\\Q\\|B\rPID|1\r").ok());  // the MSH itself is broken
}

TEST(AckTest, EncodedAckUsesIso2022JpWhenTheOriginalDeclaredIt) {
  // The sender's facility name is Japanese: the ACK carries it back in ISO-2022-JP.
  const std::string bytes =
      "MSH|^~\\&|HIS|\x1b$B2,;3IB1!\x1b(B|RENKEI|EDGE1|20260401||ADT^A08^ADT_A01|J1|P|2.5||||||~ISO IR87||ISO 2022-1994\r"
      "PID|1||1||\x1b$B45<T\x1b(B^\x1b$BB@O:\x1b(B\r";
  auto decoded = DecodeMessageText(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const Message original = ParseOrDie(*decoded);
  ASSERT_EQ(original.Get("MSH", 4), "岡山病院");
  const AckDetails details{"A2", kTime, {{ErrorCode::kTableValueNotFound, {"PID", 1, 8}, "性別コードが不明です"}}};
  auto encoded = BuildEncodedAck(original, AckCode::kError, details);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  EXPECT_NE(encoded->find("|\x1b$B2,;3IB1!\x1b(B|"), std::string::npos);  // MSH-6, byte for byte
  EXPECT_EQ(encoded->find("岡山"), std::string::npos);                    // no UTF-8 left
  auto back = DecodeMessageText(*encoded);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, BuildAck(original, AckCode::kError, details));
  EXPECT_EQ(ParseOrDie(*back).Get("ERR", 8), "性別コードが不明です");

  // A character ISO-2022-JP cannot carry is an error, not a silent replacement.
  const AckDetails emoji{"A3", kTime, {{ErrorCode::kApplicationInternalError, {}, "\xF0\x9F\x98\x80"}}};
  EXPECT_EQ(BuildEncodedAck(original, AckCode::kError, emoji).status().code(), StatusCode::kInvalidArgument);
}

TEST(AckTest, EncodedAckIsTheTextWhenNoJapaneseCharsetIsDeclared) {
  const Message ascii = ParseOrDie("MSH|^~\\&|A|B|C|D|20260401||ADT^A08|X1|P|2.5\r");
  auto plain = BuildEncodedAck(ascii, AckCode::kAccept, {"A4", kTime, {}});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, BuildAck(ascii, AckCode::kAccept, {"A4", kTime, {}}));

  const Message utf8 = ParseOrDie("MSH|^~\\&|A|病院|C|D|20260401||ADT^A08|X2|P|2.5||||||UNICODE UTF-8\r");
  auto same = BuildEncodedAck(utf8, AckCode::kAccept, {"A5", kTime, {}});
  ASSERT_TRUE(same.ok());
  EXPECT_NE(same->find("|病院|"), std::string::npos);
}

}  // namespace
}  // namespace renkei::hl7
