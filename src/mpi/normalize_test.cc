#include "mpi/normalize.h"

#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "gen/catalog.h"
#include "gen/person.h"
#include "gen/variants.h"
#include "mpi/similarity.h"

namespace renkei::mpi {
namespace {

bool IsValidUtf8(std::string_view s) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  for (size_t i = 0; i < s.size();) {
    UChar32 c;
    U8_NEXT(bytes, i, s.size(), c);
    if (c < 0) return false;
  }
  return true;
}

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// ---- Names ----------------------------------------------------------------------------------

TEST(NormalizeNameTest, RemovesWhiteSpaceAndMiddleDots) {
  EXPECT_EQ(NormalizeName("山田太郎"), "山田太郎");
  EXPECT_EQ(NormalizeName("山田　太郎"), "山田太郎");
  EXPECT_EQ(NormalizeName(" 山田 \t太郎\n"), "山田太郎");
  EXPECT_EQ(NormalizeName("ジョン・スミス"), "ジョンスミス");
  EXPECT_EQ(NormalizeName("ｼﾞｮﾝ･ｽﾐｽ"), "ジョンスミス");  // half-width kana and dot, through NFKC
  EXPECT_EQ(NormalizeName("山田\u200B太郎\uFEFF"), "山田太郎");  // zero-width space, BOM
  EXPECT_EQ(NormalizeName(""), "");
  EXPECT_EQ(NormalizeName("　 "), "");
}

TEST(NormalizeNameTest, FoldsOldAndVariantKanjiForms) {
  EXPECT_EQ(NormalizeName("髙橋"), "高橋");
  EXPECT_EQ(NormalizeName("髙橋"), NormalizeName("高橋"));
  EXPECT_EQ(NormalizeName("渡邊　眞理"), "渡辺真理");
  EXPECT_EQ(NormalizeName("山﨑"), "山崎");
  // Each variant and the common form it folds to, written as text (not code points) so that the
  // table in normalize.cc is checked against an independent copy.
  const std::pair<std::string, std::string> kForms[] = {
      {"髙", "高"}, {"﨑", "崎"}, {"嵜", "崎"}, {"碕", "崎"}, {"邊", "辺"}, {"邉", "辺"}, {"齋", "斎"},
      {"齊", "斎"}, {"斉", "斎"}, {"濱", "浜"}, {"濵", "浜"}, {"澤", "沢"}, {"嶋", "島"}, {"嶌", "島"},
      {"廣", "広"}, {"國", "国"}, {"龍", "竜"}, {"冨", "富"}, {"櫻", "桜"}, {"關", "関"}, {"惠", "恵"},
      {"德", "徳"}, {"眞", "真"}, {"實", "実"}, {"藏", "蔵"}, {"萬", "万"}, {"彌", "弥"}, {"與", "与"},
      {"壽", "寿"}, {"榮", "栄"}, {"會", "会"}, {"學", "学"}, {"淺", "浅"}, {"應", "応"}, {"來", "来"},
      {"靜", "静"}, {"條", "条"}, {"瀨", "瀬"}, {"槇", "槙"}, {"𠮷", "吉"}, {"栁", "柳"},
      {"\uFA10", "\u585A"},  // 塚 compatibility ideograph → 塚, by NFKC
      {"\uF9DC", "\u9686"},  // 隆 compatibility ideograph → 隆, by NFKC
  };
  for (const auto& [variant, common] : kForms) {
    EXPECT_EQ(NormalizeName(variant), common) << variant;
    EXPECT_EQ(NormalizeName(common), common) << common << " must stay as it is";
  }
}

TEST(NormalizeNameTest, LowerCasesLettersAndKeepsKanaAsWritten) {
  EXPECT_EQ(NormalizeName("SMITH John"), "smithjohn");
  EXPECT_EQ(NormalizeName("ＳＭＩＴＨ"), "smith");
  EXPECT_EQ(NormalizeName("やまだ"), "やまだ");
  EXPECT_EQ(NormalizeName("ヤマダ"), "ヤマダ");
  EXPECT_EQ(NormalizeName("ﾔﾏﾀﾞ"), "ヤマダ");
}

// ---- Kana -----------------------------------------------------------------------------------

TEST(NormalizeKanaTest, OneFormForHalfWidthFullWidthKatakanaAndHiragana) {
  EXPECT_EQ(NormalizeKana("ﾔﾏﾀﾞ ﾀﾛｳ"), "やまだたろう");
  EXPECT_EQ(NormalizeKana("ヤマダ　タロウ"), "やまだたろう");
  EXPECT_EQ(NormalizeKana("やまだたろう"), "やまだたろう");
  EXPECT_EQ(NormalizeKana("ヤマダ・タロウ"), "やまだたろう");
  EXPECT_EQ(NormalizeKana("ｶﾞｯｺｳ"), "がっこう");
  EXPECT_EQ(NormalizeKana("ﾊﾟﾝ"), "ぱん");
  EXPECT_EQ(NormalizeKana("ｳﾞｨ"), "ゔぃ");
  EXPECT_EQ(NormalizeKana("サトー"), "さとー");  // the exact form keeps the long vowel mark
  EXPECT_EQ(NormalizeKana(""), "");
}

TEST(NormalizeKanaTest, ExactFormKeepsSmallKanaDistinct) {
  EXPECT_NE(NormalizeKana("シユウ"), NormalizeKana("シュウ"));
  EXPECT_EQ(NormalizeKana("シュウ"), "しゅう");
}

TEST(NormalizeKanaTest, StrayVoicingMarksJoinTheKanaBeforeThemOrAreDropped) {
  EXPECT_EQ(NormalizeKana("カ゛"), "が");                // U+309B: NFKC makes it space + U+3099
  EXPECT_EQ(NormalizeKana("ハ゜"), "ぱ");                // U+309C
  EXPECT_EQ(NormalizeKana("ﾀ ﾞ"), "だ");                 // a space between kana and mark
  EXPECT_EQ(NormalizeKana("ﾝﾞ"), "ん");                  // ん takes no mark
  EXPECT_EQ(NormalizeKana("\u3099あ"), "あ");            // nothing before it
  EXPECT_EQ(NormalizeKana("ウ\u3099"), "ゔ");
}

TEST(KanaKeyTest, LongVowelsCollapseSoSatouSatooAndSatoMeet) {
  for (const char* reading : {"サトウ", "サトー", "サト", "ｻﾄｳ", "さとう", "サトオ", "サトウウ"}) {
    EXPECT_EQ(KanaKey(reading), "さと") << reading;
  }
  EXPECT_EQ(KanaKey("オオタ"), "おた");
  EXPECT_EQ(KanaKey("オータ"), "おた");
  EXPECT_EQ(KanaKey("ケイコ"), "けこ");
  EXPECT_EQ(KanaKey("ケーコ"), "けこ");
  EXPECT_EQ(KanaKey("ユウコ"), "ゆこ");
  EXPECT_EQ(KanaKey("キョウコ"), KanaKey("キヨコ"));
  // Only the listed pairs lengthen: あい, いう, えう and おい keep both kana.
  EXPECT_EQ(KanaKey("アイ"), "あい");
  EXPECT_EQ(KanaKey("イウ"), "いう");
  EXPECT_EQ(KanaKey("ケウ"), "けう");
  EXPECT_EQ(KanaKey("アオイ"), "あおい");
}

TEST(KanaKeyTest, SmallKanaVoicingAndOldKanaFold) {
  EXPECT_EQ(KanaKey("シュウ"), KanaKey("シユウ"));
  EXPECT_EQ(KanaKey("シュウ"), "しゆ");
  EXPECT_EQ(KanaKey("ハットリ"), "はつとり");
  EXPECT_EQ(KanaKey("ガッコウ"), "かつこ");
  EXPECT_EQ(KanaKey("パン"), "はん");
  EXPECT_EQ(KanaKey("バン"), "はん");
  EXPECT_EQ(KanaKey("ハナヂ"), KanaKey("ハナジ"));
  EXPECT_EQ(KanaKey("ハナヂ"), "はなし");
  EXPECT_EQ(KanaKey("ミカヅキ"), KanaKey("ミカズキ"));
  EXPECT_EQ(KanaKey("ミカヅキ"), "みかすき");
  EXPECT_EQ(KanaKey("ヴ"), KanaKey("ブ"));
  EXPECT_EQ(KanaKey("ヲ"), "お");
  EXPECT_EQ(KanaKey("ヰ"), "い");
  EXPECT_EQ(KanaKey("ヱ"), "え");
  EXPECT_EQ(KanaKey("ヵ"), "か");
  EXPECT_EQ(KanaKey("タナカ"), KanaKey("ダナカ"));  // a voicing slip
  EXPECT_EQ(KanaKey("タナカ"), KanaKey("ﾀﾅｶ"));
  EXPECT_NE(KanaKey("タナカ"), KanaKey("タナベ"));
  EXPECT_EQ(KanaKey("Ａｂ"), "Ab");  // not kana: passes through (after NFKC)
  EXPECT_EQ(KanaKey(""), "");
}

// ---- Latin ----------------------------------------------------------------------------------

TEST(NormalizeLatinTest, LowerCaseLettersOnly) {
  EXPECT_EQ(NormalizeLatin("O'Brien-Smith"), "obriensmith");
  EXPECT_EQ(NormalizeLatin("  JOHN  "), "john");
  EXPECT_EQ(NormalizeLatin("Ｊｏｈｎ"), "john");
  EXPECT_EQ(NormalizeLatin("john2 jr."), "johnjr");
  EXPECT_EQ(NormalizeLatin("José"), "josé");
  EXPECT_EQ(NormalizeLatin("12-34"), "");
}

// ---- Addresses ------------------------------------------------------------------------------

void ExpectAddress(std::string_view text, std::string_view prefecture, std::string_view locality,
                   std::string_view numbers, std::string_view rest) {
  const NormalizedAddress a = NormalizeAddress(text);
  EXPECT_EQ(a.prefecture, prefecture) << text;
  EXPECT_EQ(a.locality, locality) << text;
  EXPECT_EQ(a.numbers, numbers) << text;
  EXPECT_EQ(a.rest, rest) << text;
  EXPECT_EQ(a.full, fmt::format("{}{}{}{}", prefecture, locality, numbers, rest)) << text;
}

TEST(NormalizeAddressTest, SplitsPrefectureLocalityNumbersAndBuilding) {
  ExpectAddress("静岡県静岡市駿河区登呂１−３−５", "静岡県", "静岡市駿河区登呂", "1-3-5", "");
  ExpectAddress("静岡市駿河区登呂一丁目3番5号", "", "静岡市駿河区登呂", "1-3-5", "");
  ExpectAddress("〒420-0001 静岡県静岡市葵区追手町９番６号 サンハイツ２０３", "静岡県", "静岡市葵区追手町", "9-6",
                "サンハイツ203");
  ExpectAddress("420-0853 静岡県静岡市葵区追手町9-6", "静岡県", "静岡市葵区追手町", "9-6", "");
  ExpectAddress("東京都千代田区丸の内二丁目二十三番地の四", "東京都", "千代田区丸ノ内", "2-23-4", "");
  ExpectAddress("北海道札幌市中央区北1条西2丁目1番地", "北海道", "札幌市中央区北1条西", "2-1", "");
  ExpectAddress("大阪府大阪市北区梅田3-1-3 ｸﾞﾗﾝﾌﾛﾝﾄ大阪ﾀﾜｰA 2001号室", "大阪府", "大阪市北区梅田", "3-1-3",
                "グランフロント大阪タワーa2001");
}

TEST(NormalizeAddressTest, TheSameAddressWrittenFiveWaysIsOneAddress) {
  const std::string expected = NormalizeAddress("静岡県静岡市駿河区登呂1-3-5").full;
  EXPECT_EQ(expected, "静岡県静岡市駿河区登呂1-3-5");
  for (const char* text : {"静岡県静岡市駿河区登呂１−３−５", "静岡県静岡市駿河区登呂一丁目3番5号",
                           "静岡県 静岡市駿河区 登呂 1丁目 3番 5号", "静岡県静岡市駿河区登呂1ー3ー5",
                           "静岡県静岡市駿河区登呂1‐3―5", "静岡県静岡市駿河区登呂１丁目３番地の５",
                           "静岡県静岡市駿河区登呂一丁目三番五号", "静岡静岡市駿河区登呂1-3-5"}) {
    EXPECT_EQ(NormalizeAddress(text).full, expected) << text;
  }
}

TEST(NormalizeAddressTest, KanjiNumeralsInPlaceNamesStayText) {
  ExpectAddress("静岡県三島市一番町3-5", "静岡県", "三島市一番町", "3-5", "");
  ExpectAddress("東京都世田谷区三軒茶屋二丁目11番22号", "東京都", "世田谷区三軒茶屋", "2-11-22", "");
  ExpectAddress("東京都八王子市旭町1-1", "東京都", "八王子市旭町", "1-1", "");
  ExpectAddress("東京都品川区西五反田2-3-4", "東京都", "品川区西五反田", "2-3-4", "");
  ExpectAddress("東京都千代田区五番町6", "東京都", "千代田区五番町", "6", "");
  ExpectAddress("宮城県仙台市青葉区一番丁1-1", "宮城県", "仙台市青葉区一番丁", "1-1", "");
  ExpectAddress("東京都港区虎ノ門二〇三", "東京都", "港区虎ノ門二〇三", "", "");  // no marker: not numbers
  ExpectAddress("東京都港区虎ノ門四丁目二〇三", "東京都", "港区虎ノ門", "4-203", "");
}

TEST(NormalizeAddressTest, PrefectureWithoutSuffixButNotACityOfTheSameName) {
  ExpectAddress("京都市左京区吉田本町36", "", "京都市左京区吉田本町", "36", "");
  ExpectAddress("京都府京都市左京区吉田本町36", "京都府", "京都市左京区吉田本町", "36", "");
  ExpectAddress("大阪市福島区福島1-1", "", "大阪市福島区福島", "1-1", "");
  ExpectAddress("福島区福島1-1", "", "福島区福島", "1-1", "");
  ExpectAddress("神奈川横浜市中区本町1", "神奈川県", "横浜市中区本町", "1", "");
  ExpectAddress("長﨑県長崎市桜町2-22", "長崎県", "長崎市桜町", "2-22", "");  // kanji forms fold first
  ExpectAddress("静岡", "", "静岡", "", "");
}

TEST(NormalizeAddressTest, DropsOazaAndAzaAndFoldsKeAndNo) {
  ExpectAddress("茨城県つくば市大字上郷字北原123番地", "茨城県", "つくば市上郷北原", "123", "");
  ExpectAddress("秋田県横手市十文字町1-2", "秋田県", "横手市十文字町", "1-2", "");
  const std::string kasumigaseki = NormalizeAddress("東京都千代田区霞が関1-2-3").full;
  EXPECT_EQ(kasumigaseki, "東京都千代田区霞ケ関1-2-3");
  EXPECT_EQ(NormalizeAddress("東京都千代田区霞ヶ関１丁目２番３号").full, kasumigaseki);
  EXPECT_EQ(NormalizeAddress("東京都千代田区霞ケ関1-2-3").full, kasumigaseki);
  EXPECT_EQ(NormalizeAddress("東京都港区虎の門1-1").full, NormalizeAddress("東京都港区虎ノ門1-1").full);
  // ケ and ノ in a katakana building name are left alone.
  EXPECT_EQ(NormalizeAddress("静岡県静岡市葵区追手町9-6 ケノービル").rest, "ケノービル");
}

TEST(NormalizeAddressTest, WhiteSpaceAfterTheNumbersStartsTheBuilding) {
  ExpectAddress("静岡県静岡市葵区追手町9-6 203", "静岡県", "静岡市葵区追手町", "9-6", "203");
  ExpectAddress("静岡県静岡市葵区追手町9番6号203号室", "静岡県", "静岡市葵区追手町", "9-6", "203");
  ExpectAddress("静岡県静岡市葵区追手町9 - 6 センタービル3F", "静岡県", "静岡市葵区追手町", "9-6", "センタービル3f");
  ExpectAddress("静岡県静岡市葵区追手町9-6ｾﾝﾀｰﾋﾞﾙ", "静岡県", "静岡市葵区追手町", "9-6", "センタービル");
  // After 号 come no more block numbers, only the building or room.
  ExpectAddress("静岡県静岡市葵区追手町九番六号二〇三", "静岡県", "静岡市葵区追手町", "9-6", "二〇三");
  ExpectAddress("静岡県静岡市葵区追手町9番6号 2-1", "静岡県", "静岡市葵区追手町", "9-6", "2-1");
}

TEST(NormalizeAddressTest, EmptyAndDegenerateInput) {
  ExpectAddress("", "", "", "", "");
  ExpectAddress("〒420-0001", "", "", "", "");
  ExpectAddress("   ", "", "", "", "");
  ExpectAddress("1-3-5", "", "", "1-3-5", "");
  ExpectAddress("---", "", "", "", "");
  ExpectAddress("丁目番地号", "", "丁目番地号", "", "");
}

// ---- Phones, postal codes, dates, sex -------------------------------------------------------

TEST(NormalizePhoneTest, DigitsWithTheTrunkPrefix) {
  for (const char* text : {"054-123-4567", "０５４（１２３）４５６７", "+81 54 123 4567", "+81-54-123-4567",
                           "+81 (0)54 123 4567", "81-54-123-4567", "(054)123-4567", "054.123.4567",
                           "TEL:054-123-4567", "054-123-4567 内線12", "054-123-4567/090-1111-2222",
                           "＋８１ ５４ １２３ ４５６７", "0541234567"}) {
    EXPECT_EQ(NormalizePhone(text), "0541234567") << text;
  }
  EXPECT_EQ(NormalizePhone("090-1234-5678"), "09012345678");
  EXPECT_EQ(NormalizePhone("+81 90 1234 5678"), "09012345678");
  EXPECT_EQ(NormalizePhone("+1 212 555 0100"), "12125550100");  // another country: digits as written
  EXPECT_EQ(NormalizePhone("81234567"), "");                    // eight digits
  EXPECT_EQ(NormalizePhone("123-4567"), "");
  EXPECT_EQ(NormalizePhone("1234567890123456"), "");  // more than E.164 allows
  EXPECT_EQ(NormalizePhone(""), "");
  EXPECT_EQ(NormalizePhone("なし"), "");
}

TEST(NormalizePostalCodeTest, SevenDigitsOrNothing) {
  for (const char* text : {"〒420-0001", "4200001", "４２０−０００１", " 420 0001 ", "〶420-0001", "420ー0001"}) {
    EXPECT_EQ(NormalizePostalCode(text), "4200001") << text;
  }
  for (const char* text : {"", "420-001", "420-00011", "42000011", "420-0001 静岡", "ABC-DEFG", "〒"}) {
    EXPECT_EQ(NormalizePostalCode(text), "") << text;
  }
}

TEST(NormalizeBirthDateTest, GregorianForms) {
  for (const char* text : {"19800102", "1980-01-02", "1980/1/2", "1980.1.2", "1980年1月2日", "１９８０／０１／０２",
                           " 1980-01-02 ", "1980 1 2", "1980年 1月 2日", "1980-1/2"}) {
    EXPECT_EQ(NormalizeBirthDate(text), "19800102") << text;
  }
  EXPECT_EQ(NormalizeBirthDate("2000-02-29"), "20000229");
  EXPECT_EQ(NormalizeBirthDate("0987-06-05"), "09870605");
}

TEST(NormalizeBirthDateTest, JapaneseEras) {
  EXPECT_EQ(NormalizeBirthDate("S55.1.2"), "19800102");
  EXPECT_EQ(NormalizeBirthDate("s55.01.02"), "19800102");
  EXPECT_EQ(NormalizeBirthDate("昭和55年1月2日"), "19800102");
  EXPECT_EQ(NormalizeBirthDate("昭55.1.2"), "19800102");
  EXPECT_EQ(NormalizeBirthDate("昭和 55年 1月 2日"), "19800102");
  EXPECT_EQ(NormalizeBirthDate("S550102"), "19800102");
  EXPECT_EQ(NormalizeBirthDate("Ｓ５５．１．２"), "19800102");
  EXPECT_EQ(NormalizeBirthDate("H2/3/4"), "19900304");
  EXPECT_EQ(NormalizeBirthDate("平成2年3月4日"), "19900304");
  EXPECT_EQ(NormalizeBirthDate("R1.5.1"), "20190501");
  EXPECT_EQ(NormalizeBirthDate("令和元年5月1日"), "20190501");
  EXPECT_EQ(NormalizeBirthDate("T15.12.24"), "19261224");
  EXPECT_EQ(NormalizeBirthDate("大正15年12月24日"), "19261224");
  EXPECT_EQ(NormalizeBirthDate("M45.7.29"), "19120729");
  EXPECT_EQ(NormalizeBirthDate("明治45年7月29日"), "19120729");
  EXPECT_EQ(NormalizeBirthDate("S64.1.7"), "19890107");
  EXPECT_EQ(NormalizeBirthDate("H31.5.10"), "20190510");  // pre-printed forms, see the header
  EXPECT_EQ(NormalizeBirthDate("㍻2年3月4日"), "19900304");  // era ligatures, through NFKC
  EXPECT_EQ(NormalizeBirthDate("㍼55.1.2"), "19800102");
}

TEST(NormalizeBirthDateTest, InvalidDatesAndShapesGiveEmpty) {
  for (const char* text :
       {"", "R1", "T", "M", "S", "昭和", "S65.1.1", "H32.1.1", "M46.1.1", "S0.1.1", "H2/2/30", "1980-13-01",
        "1980-00-10", "1980-01-32", "1980-01-00", "1900-02-29", "2001-02-29", "80/1/2", "19800102123000",
        "1980-01-02T10:00", "1980--", "1980-1-2-3", "198001023", "0000-01-01", "x1980-01-02", "S55.1.2.3",
        "1980年1月2日日", "S1980.1.2", "R100.1.1", "明治元年"}) {
    EXPECT_EQ(NormalizeBirthDate(text), "") << text;
  }
}

TEST(NormalizeSexTest, MaleFemaleOrUnknown) {
  for (const char* text : {"M", "m", "male", "Male", "MALE", "男", "男性", "1", "Ｍ", " M "}) {
    EXPECT_EQ(NormalizeSex(text), 'M') << text;
  }
  for (const char* text : {"F", "f", "female", "Female", "女", "女性", "2", "ｆ"}) {
    EXPECT_EQ(NormalizeSex(text), 'F') << text;
  }
  for (const char* text : {"U", "O", "A", "N", "0", "9", "", "x", "males", "男女", "12", "unknown"}) {
    EXPECT_EQ(NormalizeSex(text), 'U') << text;
  }
}

// ---- Hostile input --------------------------------------------------------------------------

TEST(NormalizeHostileInputTest, IllFormedUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(NormalizeName("山\xff田"), "山\uFFFD田");
  EXPECT_EQ(NormalizeName("山\xe7\x94"), "山\uFFFD");  // truncated 田
  EXPECT_EQ(NormalizeName("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // an encoded surrogate
  EXPECT_EQ(NormalizeName("\xc0\xaf"), "\uFFFD\uFFFD");  // overlong '/'
  EXPECT_EQ(NormalizeKana("ﾔ\xffﾏ"), "や\uFFFDま");
  EXPECT_EQ(KanaKey("サ\x80トウ"), "さ\uFFFDと");
  EXPECT_EQ(NormalizeLatin("jo\xffhn"), "john");
  EXPECT_EQ(NormalizePhone("054\xff-123-4567"), "");  // U+FFFD ends the number after 054
  EXPECT_EQ(NormalizePostalCode("420\xff""0001"), "");
  EXPECT_EQ(NormalizeBirthDate("1980\xff""01\xff""02"), "");
  EXPECT_EQ(NormalizeSex("M\xff"), 'U');
  const NormalizedAddress a = NormalizeAddress("静岡県\xff静岡市1-3-5");
  EXPECT_EQ(a.prefecture, "静岡県");
  EXPECT_EQ(a.locality, "\uFFFD静岡市");
  EXPECT_EQ(a.numbers, "1-3-5");
}

TEST(NormalizeHostileInputTest, RandomBytesNeverBreakTheFunctions) {
  std::mt19937_64 rng(20240601);
  // Fragments that steer random input into the interesting paths, plus raw bytes.
  const std::vector<std::string> fragments = {
      "ｶ", "ﾞ", "ﾟ", "゛", "ー", "ｰ", "ウ", "ォ", "丁目", "番", "番地", "号", "の", "一", "十", "百", "千", "〇", "1",
      "-", "−", " ", "　", "〒", "静岡県", "京都", "髙", "﨑", "S", "昭和", "元", "年", "/", "+81", "(", "\xff", "\xe3",
      "\xe3\x82", "\xf0\x9f", "\xed\xa0\x80", "\x00", "\u200B", "A", "字", "大字", "ヶ", "条"};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int parts = static_cast<int>(rng() % 12);
    for (int k = 0; k < parts; ++k) {
      if (rng() % 4 == 0) {
        text.push_back(static_cast<char>(rng() & 0xFF));
      } else {
        text += fragments[rng() % fragments.size()];
      }
    }
    const std::string name = NormalizeName(text);
    const std::string kana = NormalizeKana(text);
    const std::string key = KanaKey(text);
    const NormalizedAddress address = NormalizeAddress(text);
    for (const std::string* out : {&name, &kana, &key, &address.full, &address.numbers}) {
      EXPECT_TRUE(IsValidUtf8(*out)) << testing::PrintToString(text);
    }
    EXPECT_EQ(NormalizeName(name), name) << testing::PrintToString(text);
    EXPECT_EQ(NormalizeKana(kana), kana) << testing::PrintToString(text);
    EXPECT_EQ(KanaKey(key), key) << testing::PrintToString(text);
    EXPECT_EQ(address.full, address.prefecture + address.locality + address.numbers + address.rest);
    EXPECT_EQ(address.numbers.find_first_not_of("0123456789-"), std::string::npos) << address.numbers;
    EXPECT_FALSE(address.numbers.starts_with("-") || address.numbers.ends_with("-") ||
                 address.numbers.find("--") != std::string::npos)
        << address.numbers;
    const std::string phone = NormalizePhone(text);
    EXPECT_TRUE(phone.empty() || (phone.size() >= 9 && phone.size() <= 15)) << phone;
    const std::string postal = NormalizePostalCode(text);
    EXPECT_TRUE(postal.empty() || postal.size() == 7) << postal;
    const std::string date = NormalizeBirthDate(text);
    EXPECT_TRUE(date.empty() || date.size() == 8) << date;
    const char sex = NormalizeSex(text);
    EXPECT_TRUE(sex == 'M' || sex == 'F' || sex == 'U');
  }
}

TEST(NormalizeHostileInputTest, OneMegabyteInputs) {
  const size_t kSize = 1 << 20;
  const std::string kanji = [&] {
    std::string s;
    while (s.size() + 3 <= kSize) s += "髙";
    return s;
  }();
  const std::string name = NormalizeName(kanji);
  EXPECT_EQ(name.size(), kanji.size());
  EXPECT_TRUE(name.starts_with("高高"));
  std::string half_width;
  while (half_width.size() + 6 <= kSize) half_width += "ｶﾞ";
  EXPECT_EQ(NormalizeKana(half_width).size(), half_width.size() / 2);
  std::string long_vowels;
  while (long_vowels.size() + 3 <= kSize) long_vowels += "ー";
  EXPECT_EQ(KanaKey(long_vowels), "");
  const std::string digits(kSize, '1');
  EXPECT_EQ(NormalizePhone(digits), "");
  EXPECT_EQ(NormalizePostalCode(digits), "");
  EXPECT_EQ(NormalizeBirthDate(digits), "");
  EXPECT_EQ(NormalizeSex(digits), 'U');
  EXPECT_EQ(NormalizeAddress(digits).numbers, digits);
  std::string kanji_numerals;
  while (kanji_numerals.size() + 3 <= kSize) kanji_numerals += "千";
  EXPECT_EQ(NormalizeAddress(kanji_numerals + "番").numbers, std::to_string(kanji_numerals.size() / 3 * 1000));
  const std::string garbage(kSize, '\xff');
  EXPECT_EQ(NormalizeName(garbage).size(), kSize * 3);
  EXPECT_EQ(NormalizeLatin(garbage), "");
}

// ---- The generator's variants ---------------------------------------------------------------
// Each variant that src/gen writes into a facility's records must normalise back to the value
// of the truth it came from: that is what lets the linker see through it.

std::vector<gen::Name> AllNames() {
  std::vector<gen::Name> names;
  for (const auto& list : {gen::Names().surnames(), gen::Names().given('M'), gen::Names().given('F')}) {
    names.insert(names.end(), list.begin(), list.end());
  }
  return names;
}

TEST(GeneratorVariantsTest, KanjiFormsFoldBack) {
  int checked = 0;
  for (const gen::Name& name : AllNames()) {
    const std::string truth = NormalizeName(name.kanji);
    for (uint64_t choice = 0; choice < 8; ++choice) {
      if (auto variant = gen::KanjiFormVariant(name.kanji, choice)) {
        ++checked;
        EXPECT_EQ(NormalizeName(*variant), truth) << name.kanji << " written " << *variant;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(GeneratorVariantsTest, KanaSpellingsAndHalfWidthKanaFoldBackInTheKey) {
  int checked = 0;
  for (const gen::Name& name : AllNames()) {
    const std::string key = KanaKey(name.kana);
    EXPECT_EQ(NormalizeKana(gen::ToHalfWidthKatakana(name.kana)), NormalizeKana(name.kana)) << name.kana;
    EXPECT_EQ(KanaKey(gen::ToHalfWidthKatakana(name.kana)), key) << name.kana;
    for (uint64_t choice = 0; choice < 8; ++choice) {
      if (auto variant = gen::KanaSpellingVariant(name.kana, choice)) {
        ++checked;
        EXPECT_EQ(KanaKey(*variant), key) << name.kana << " written " << *variant;
        EXPECT_EQ(KanaKey(gen::ToHalfWidthKatakana(*variant)), key) << name.kana << " written " << *variant;
      }
    }
  }
  EXPECT_GT(checked, 5000);
}

TEST(GeneratorVariantsTest, KanaTyposFoldBackInTheKeyExceptChiAndTsu) {
  // A voicing slip disappears in the key, except on チ/ツ: ヂ and ヅ fold to し and す (to meet ジ
  // and ズ), so the slip チ↔ヂ stays one edit apart.
  int checked = 0, exact = 0;
  for (const gen::Name& name : AllNames()) {
    const std::string key = KanaKey(name.kana);
    const std::string_view kana = name.kana;
    const bool has_chi_tsu = kana.find("チ") != kana.npos || kana.find("ツ") != kana.npos ||
                             kana.find("ヂ") != kana.npos || kana.find("ヅ") != kana.npos;
    for (uint64_t choice = 0; choice < 8; ++choice) {
      auto typo = gen::KanaTypo(name.kana, choice);
      if (!typo) continue;
      ++checked;
      if (!has_chi_tsu) {
        ++exact;
        EXPECT_EQ(KanaKey(*typo), key) << name.kana << " typed " << *typo;
      } else {
        EXPECT_LE(BoundedEditDistance(KanaKey(*typo), key, 1), 1) << name.kana << " typed " << *typo;
      }
    }
  }
  EXPECT_GT(exact, 5000);
  EXPECT_GT(checked, exact);
}

TEST(GeneratorVariantsTest, AddressHabitsFoldBack) {
  const gen::RecordingHabits kHabits[] = {{false, false, false}, {false, true, false}, {false, false, true},
                                          {false, true, true}};
  int checked = 0;
  for (int town = 0; town < static_cast<int>(gen::Towns().size()); ++town) {
    const gen::Town& t = gen::Towns()[town];
    for (const auto& [chome, ban, go, building] :
         {std::tuple{1, 3, 5, ""}, std::tuple{5, 30, 20, "サンハイツ203"}, std::tuple{2, 11, 1, "コーポ富士見812"},
          std::tuple{3, 1, 19, "メゾン桜101"}}) {
      gen::Address address;
      address.town = town;
      address.chome = chome;
      address.ban = ban;
      address.go = go;
      address.building = building;
      for (const gen::RecordingHabits& habits : kHabits) {
        const std::string text = gen::AddressText(address, habits);
        const NormalizedAddress a = NormalizeAddress(text);
        ++checked;
        EXPECT_EQ(a.prefecture, t.prefecture) << text;
        EXPECT_EQ(a.locality, ReplaceAll(fmt::format("{}{}", t.city, t.town), "の", "ノ")) << text;
        EXPECT_EQ(a.numbers, fmt::format("{}-{}-{}", chome, ban, go)) << text;
        EXPECT_EQ(a.rest, building) << text;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(gen::Towns().size()) * 4 * 4);
}

TEST(GeneratorVariantsTest, RecordedDemographicsFoldBackToThePerson) {
  // Whole registrations as the generator writes them, at facilities with every habit: apart from
  // the variants that really change a value (another kanji of the same reading, a surname from
  // before marriage, an old address, a typo), every field normalises to the truth.
  const gen::Window window{gen::DaysFromCivil(2015, 1, 1), gen::DaysFromCivil(2024, 12, 31)};
  int compared = 0, with_variants = 0;
  for (int64_t i = 0; i < 3000; ++i) {
    const gen::Person person = gen::MakePerson(7, i, window);
    const gen::RecordingHabits habits{(i & 1) != 0, (i & 2) != 0, (i & 4) != 0};
    gen::Rng rng = gen::Rng::For(7, gen::StreamKind::kHistory, static_cast<uint64_t>(i));
    gen::RecordingVariants variants;
    const gen::RecordedDemographics r = gen::Record(person, window.last_day, habits, false, rng, &variants);
    if (variants.homophone || variants.maiden_name || variants.old_address || variants.kana_typo) continue;
    ++compared;
    if (variants.kanji_form || variants.kana_spelling) ++with_variants;
    EXPECT_EQ(NormalizeName(r.kanji_family + r.kanji_given),
              NormalizeName(std::string(person.family.kanji) + std::string(person.given.kanji)));
    EXPECT_EQ(KanaKey(r.kana_family + r.kana_given),
              KanaKey(std::string(person.family.kana) + std::string(person.given.kana)));
    if (!variants.kana_spelling) {
      EXPECT_EQ(NormalizeKana(r.kana_family + r.kana_given),
                NormalizeKana(std::string(person.family.kana) + std::string(person.given.kana)));
    }
    EXPECT_EQ(NormalizeAddress(r.address).full, NormalizeAddress(gen::AddressText(person.address, {})).full)
        << r.address;
    EXPECT_EQ(NormalizePostalCode(r.postal_code).size(), 7u) << r.postal_code;
    if (!r.phone.empty()) {
      EXPECT_GE(NormalizePhone(r.phone).size(), 10u) << r.phone;
    }
  }
  EXPECT_GT(compared, 2000);
  EXPECT_GT(with_variants, 150);
}

}  // namespace
}  // namespace renkei::mpi
