#include "gen/variants.h"

#include <utility>
#include <vector>

#include "text/iso2022jp.h"

namespace renkei::gen {
namespace {

std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string Encode(std::u32string_view s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

// Pairs (from, to) of kanji forms that the encoder accepts.
const std::vector<std::pair<char32_t, char32_t>>& KanjiPairs() {
  static const std::vector<std::pair<char32_t, char32_t>> kPairs = [] {
    const std::pair<char32_t, char32_t> candidates[] = {
        {U'高', U'髙'}, {U'崎', U'﨑'}, {U'辺', U'邊'}, {U'辺', U'邉'}, {U'斎', U'齋'}, {U'斎', U'齊'},
        {U'斉', U'齊'}, {U'浜', U'濱'}, {U'沢', U'澤'}, {U'島', U'嶋'}, {U'広', U'廣'}, {U'国', U'國'},
        {U'竜', U'龍'}, {U'富', U'冨'}, {U'桜', U'櫻'}, {U'関', U'關'}, {U'恵', U'惠'}, {U'吉', U'𠮷'},
    };
    std::vector<std::pair<char32_t, char32_t>> out;
    for (auto [a, b] : candidates) {
      // 𠮷 (U+20BB7) and any other form outside the encodable sets are skipped here.
      if (!text::EncodeIso2022Jp(Encode(std::u32string(1, a))).ok()) continue;
      if (!text::EncodeIso2022Jp(Encode(std::u32string(1, b))).ok()) continue;
      out.emplace_back(a, b);
      out.emplace_back(b, a);
    }
    return out;
  }();
  return kPairs;
}

// Replaces the `choice`-th of the possible single edits; nullopt when there is none.
std::optional<std::string> PickEdit(const std::u32string& s, const std::vector<std::pair<size_t, std::u32string>>& edits,
                                    uint64_t choice, size_t length = 1) {
  if (edits.empty()) return std::nullopt;
  const auto& [pos, with] = edits[choice % edits.size()];
  std::u32string out = s;
  out.replace(pos, length, with);
  return Encode(out);
}

constexpr std::u32string_view kSmall = U"ャュョッァィゥェォ";
constexpr std::u32string_view kLarge = U"ヤユヨツアイウエオ";
// Kana whose vowel is o: an ウ after them is a long vowel.
constexpr std::u32string_view kORow = U"オコソトノホモヨロゴゾドボポョ";
// Unvoiced kana and their voiced forms (ウ/ヴ handled apart).
constexpr std::u32string_view kUnvoiced = U"カキクケコサシスセソタチツテトハヒフヘホ";
constexpr std::u32string_view kVoiced = U"ガギグゲゴザジズゼゾダヂヅデドバビブベボ";

}  // namespace

std::optional<std::string> KanjiFormVariant(std::string_view kanji, uint64_t choice) {
  std::u32string s = Decode(kanji);
  std::vector<std::pair<size_t, std::u32string>> edits;
  for (size_t i = 0; i < s.size(); ++i) {
    for (auto [from, to] : KanjiPairs()) {
      if (s[i] == from) edits.push_back({i, std::u32string(1, to)});
    }
  }
  return PickEdit(s, edits, choice);
}

std::optional<std::string> KanaSpellingVariant(std::string_view kana, uint64_t choice) {
  std::u32string s = Decode(kana);
  std::vector<std::pair<size_t, std::u32string>> edits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (size_t k = kSmall.find(s[i]); k != std::u32string_view::npos) edits.push_back({i, std::u32string(1, kLarge[k])});
    if (i > 0 && s[i] == U'ウ' && kORow.find(s[i - 1]) != std::u32string_view::npos) edits.push_back({i, U"ー"});
    if (i > 0 && s[i] == U'ー') edits.push_back({i, U"ウ"});
    if (s[i] == U'ヅ') edits.push_back({i, U"ズ"});
    if (s[i] == U'ヂ') edits.push_back({i, U"ジ"});
    if (s[i] == U'ヴ') edits.push_back({i, U"ブ"});
  }
  return PickEdit(s, edits, choice);
}

std::optional<std::string> KanaTypo(std::string_view kana, uint64_t choice) {
  std::u32string s = Decode(kana);
  std::vector<std::pair<size_t, std::u32string>> edits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (size_t k = kUnvoiced.find(s[i]); k != std::u32string_view::npos) edits.push_back({i, std::u32string(1, kVoiced[k])});
    if (size_t k = kVoiced.find(s[i]); k != std::u32string_view::npos) edits.push_back({i, std::u32string(1, kUnvoiced[k])});
  }
  return PickEdit(s, edits, choice);
}

std::string ToHalfWidthKatakana(std::string_view kana) {
  // Full-width katakana U+30A1..U+30FC in order, with their half-width spellings.
  static constexpr std::u32string_view kFull =
      U"ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノ"
      U"ハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴー・";
  static const std::u32string_view kHalf[] = {
      U"ｧ", U"ｱ", U"ｨ", U"ｲ", U"ｩ", U"ｳ", U"ｪ", U"ｴ", U"ｫ", U"ｵ", U"ｶ", U"ｶﾞ", U"ｷ", U"ｷﾞ", U"ｸ", U"ｸﾞ",
      U"ｹ", U"ｹﾞ", U"ｺ", U"ｺﾞ", U"ｻ", U"ｻﾞ", U"ｼ", U"ｼﾞ", U"ｽ", U"ｽﾞ", U"ｾ", U"ｾﾞ", U"ｿ", U"ｿﾞ", U"ﾀ", U"ﾀﾞ",
      U"ﾁ", U"ﾁﾞ", U"ｯ", U"ﾂ", U"ﾂﾞ", U"ﾃ", U"ﾃﾞ", U"ﾄ", U"ﾄﾞ", U"ﾅ", U"ﾆ", U"ﾇ", U"ﾈ", U"ﾉ", U"ﾊ", U"ﾊﾞ",
      U"ﾊﾟ", U"ﾋ", U"ﾋﾞ", U"ﾋﾟ", U"ﾌ", U"ﾌﾞ", U"ﾌﾟ", U"ﾍ", U"ﾍﾞ", U"ﾍﾟ", U"ﾎ", U"ﾎﾞ", U"ﾎﾟ", U"ﾏ", U"ﾐ", U"ﾑ",
      U"ﾒ", U"ﾓ", U"ｬ", U"ﾔ", U"ｭ", U"ﾕ", U"ｮ", U"ﾖ", U"ﾗ", U"ﾘ", U"ﾙ", U"ﾚ", U"ﾛ", U"ﾜ", U"ﾜ", U"ｲ",
      U"ｴ", U"ｦ", U"ﾝ", U"ｳﾞ", U"ｰ", U"･"};
  static_assert(kFull.size() == std::size(kHalf));
  std::u32string out;
  for (char32_t c : Decode(kana)) {
    size_t k = kFull.find(c);
    if (k == std::u32string_view::npos) out.push_back(c);
    else out.append(kHalf[k]);
  }
  return Encode(out);
}

std::string ToFullWidthDigits(std::string_view text) {
  // Byte by byte, without decoding: in UTF-8 an ASCII byte is never part of a longer sequence.
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      out += "\xEF\xBC";  // U+FF10..U+FF19 (０..９): EF BC 90..99
      out += static_cast<char>(0x90 + (c - '0'));
    } else if (c == '-') {
      out += "−";  // U+2212
    } else {
      out += c;
    }
  }
  return out;
}

bool HasHalfWidthKatakana(std::string_view text) {
  for (char32_t c : Decode(text)) {
    if (c >= 0xFF61 && c <= 0xFF9F) return true;
  }
  return false;
}

}  // namespace renkei::gen
