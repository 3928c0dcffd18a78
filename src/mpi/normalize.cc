#include "mpi/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace renkei::mpi {
namespace {

using CodePoints = std::u32string;

// ---- UTF-8 and NFKC -------------------------------------------------------------------------

// Every code point here is a Unicode scalar value (decoded, NFKC'd or a literal), so the
// unchecked append is safe.
void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
    return;
  }
  uint8_t buf[U8_MAX_LENGTH];
  size_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  out.append(reinterpret_cast<const char*>(buf), n);
}

std::string EncodeUtf8(const CodePoints& s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) AppendUtf8(out, c);
  return out;
}

// Appends the code points of `s`, each ill-formed sequence as one U+FFFD. Returns whether `s`
// was well-formed.
bool DecodeUtf8(std::string_view s, CodePoints& out) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const size_t length = s.size();
  bool well_formed = true;
  out.reserve(out.size() + length);
  for (size_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      c = 0xFFFD;
      well_formed = false;
    }
    out.push_back(static_cast<char32_t>(c));
  }
  return well_formed;
}

const icu::Normalizer2* Nfkc() {
  static const icu::Normalizer2* const kNfkc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
    return U_SUCCESS(status) ? n : nullptr;
  }();
  return kNfkc;
}

// White space, control and format characters (zero-width space, BOM) and the middle dots ・ ･ ·:
// what separates the parts of a name without being part of it.
bool IsSeparator(char32_t c) {
  if (c == U'・' || c == U'･' || c == U'·') return true;
  if (u_isUWhiteSpace(static_cast<UChar32>(c))) return true;
  const int8_t type = u_charType(static_cast<UChar32>(c));
  return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR;
}

constexpr char32_t kDakuten = 0x3099;     // COMBINING KATAKANA-HIRAGANA VOICED SOUND MARK
constexpr char32_t kHandakuten = 0x309A;  // COMBINING KATAKANA-HIRAGANA SEMI-VOICED SOUND MARK

// The code points of the NFKC form of well-formed UTF-8 `utf8`. ICU counts in int32_t, so text
// of 2 GiB or more is left as it is.
CodePoints Normalize(const icu::Normalizer2& nfkc, std::string_view utf8) {
  std::string normalized;
  UErrorCode status = U_ZERO_ERROR;
  if (utf8.size() < INT32_MAX) {
    const auto length = static_cast<int32_t>(utf8.size());
    icu::StringByteSink<std::string> sink(&normalized, length);
    nfkc.normalizeUTF8(0, icu::StringPiece(utf8.data(), length), sink, nullptr, status);
  } else {
    status = U_INDEX_OUTOFBOUNDS_ERROR;
  }
  CodePoints out;
  DecodeUtf8(U_SUCCESS(status) ? std::string_view(normalized) : utf8, out);
  return out;
}

enum class Separators { kKeep, kDrop };

// The code points of the NFKC form of `text`, ill-formed UTF-8 read as U+FFFD. The spacing
// voicing marks ゛ ゜ are taken as the combining ones (NFKC alone would turn カ゛ into "カ ゙"),
// so that they join the kana before them. With kDrop, separators are removed before NFKC (so
// that what they stood between can compose: ﾀ ﾞ → ダ) and again after it (U+3000 → U+0020).
// Text whose code points are all normalization-inert (ASCII, most kanji) skips ICU.
CodePoints NfkcCodePoints(std::string_view text, Separators separators) {
  CodePoints s;
  bool changed = !DecodeUtf8(text, s);
  for (char32_t& c : s) {
    if (c == 0x309B || c == 0x309C) {
      c = c == 0x309B ? kDakuten : kHandakuten;
      changed = true;
    }
  }
  if (separators == Separators::kDrop && std::erase_if(s, IsSeparator) > 0) changed = true;
  const icu::Normalizer2* nfkc = Nfkc();
  if (nfkc == nullptr) return s;  // ICU data missing: compare unnormalised rather than fail
  if (std::all_of(s.begin(), s.end(), [nfkc](char32_t c) { return c < 0x80 || nfkc->isInert(c); })) return s;
  s = Normalize(*nfkc, changed ? std::string_view(EncodeUtf8(s)) : text);
  // NFKC turns compatibility spaces and spacing accents into U+0020 (and a combining mark);
  // without those spaces the text may compose further.
  if (separators == Separators::kDrop && std::erase_if(s, IsSeparator) > 0) s = Normalize(*nfkc, EncodeUtf8(s));
  return s;
}

char32_t Lower(char32_t c) { return static_cast<char32_t>(u_tolower(static_cast<UChar32>(c))); }

// ---- Kanji forms ----------------------------------------------------------------------------

// Old (旧字体) and variant (異体字) kanji forms and the common form they fold to, sorted by the
// variant. CJK compatibility ideographs with a canonical mapping (塚 U+FA10 → 塚) need no entry:
// NFKC folds them before this table is consulted. 﨑 U+FA11 is one of the twelve compatibility
// ideographs that NFKC leaves alone, so it is here.
constexpr std::array<std::pair<char32_t, char32_t>, 41> kKanjiForms = {{
    {0x4F86, 0x6765},   // 來→来
    {0x51A8, 0x5BCC},   // 冨→富
    {0x570B, 0x56FD},   // 國→国
    {0x58FD, 0x5BFF},   // 壽→寿
    {0x5B78, 0x5B66},   // 學→学
    {0x5BE6, 0x5B9F},   // 實→実
    {0x5D5C, 0x5D0E},   // 嵜→崎
    {0x5D8B, 0x5CF6},   // 嶋→島
    {0x5D8C, 0x5CF6},   // 嶌→島
    {0x5EE3, 0x5E83},   // 廣→広
    {0x5F4C, 0x5F25},   // 彌→弥
    {0x5FB7, 0x5FB3},   // 德→徳
    {0x60E0, 0x6075},   // 惠→恵
    {0x61C9, 0x5FDC},   // 應→応
    {0x6589, 0x658E},   // 斉→斎
    {0x6703, 0x4F1A},   // 會→会
    {0x6801, 0x67F3},   // 栁→柳
    {0x689D, 0x6761},   // 條→条
    {0x69AE, 0x6804},   // 榮→栄
    {0x69C7, 0x69D9},   // 槇→槙
    {0x6AFB, 0x685C},   // 櫻→桜
    {0x6DFA, 0x6D45},   // 淺→浅
    {0x6FA4, 0x6CA2},   // 澤→沢
    {0x6FF1, 0x6D5C},   // 濱→浜
    {0x6FF5, 0x6D5C},   // 濵→浜
    {0x7028, 0x702C},   // 瀨→瀬
    {0x771E, 0x771F},   // 眞→真
    {0x7895, 0x5D0E},   // 碕→崎
    {0x8207, 0x4E0E},   // 與→与
    {0x842C, 0x4E07},   // 萬→万
    {0x85CF, 0x8535},   // 藏→蔵
    {0x9089, 0x8FBA},   // 邉→辺
    {0x908A, 0x8FBA},   // 邊→辺
    {0x95DC, 0x95A2},   // 關→関
    {0x975C, 0x9759},   // 靜→静
    {0x9AD9, 0x9AD8},   // 髙→高
    {0x9F4A, 0x658E},   // 齊→斎
    {0x9F4B, 0x658E},   // 齋→斎
    {0x9F8D, 0x7ADC},   // 龍→竜
    {0xFA11, 0x5D0E},   // 﨑→崎
    {0x20BB7, 0x5409},  // 𠮷→吉
}};
static_assert(std::is_sorted(kKanjiForms.begin(), kKanjiForms.end()));

char32_t FoldKanji(char32_t c) {
  if (c < kKanjiForms.front().first || c > kKanjiForms.back().first) return c;
  auto it = std::lower_bound(kKanjiForms.begin(), kKanjiForms.end(), c,
                             [](const std::pair<char32_t, char32_t>& p, char32_t v) { return p.first < v; });
  return it != kKanjiForms.end() && it->first == c ? it->second : c;
}

// ---- Kana -----------------------------------------------------------------------------------

// Voiced and semi-voiced hiragana (ゔ included) and the plain kana they are written on.
constexpr std::u32string_view kVoiced = U"がぎぐげござじずぜぞだぢづでどばびぶべぼゔぱぴぷぺぽ";
constexpr std::u32string_view kPlain = U"かきくけこさしすせそたちつてとはひふへほうはひふへほ";
constexpr std::u32string_view kSmall = U"ぁぃぅぇぉっゃゅょゎゕゖ";
constexpr std::u32string_view kLarge = U"あいうえおつやゆよわかけ";
static_assert(kPlain.size() == kVoiced.size() && kSmall.size() == kLarge.size());

// Replaces `c` by the `to` entry at the position of `c` in `from`, if it is there.
constexpr char32_t Map(char32_t c, std::u32string_view from, std::u32string_view to) {
  const size_t k = from.find(c);
  return k == std::u32string_view::npos ? c : to[k];
}

// NFKC code points of a reading with katakana as hiragana and separators removed. A voicing
// mark still standing after NFKC follows something that takes none (ﾝﾞ), and is dropped.
CodePoints Hiragana(std::string_view text) {
  CodePoints out = NfkcCodePoints(text, Separators::kDrop);
  std::erase_if(out, [](char32_t c) { return c == kDakuten || c == kHandakuten; });
  for (char32_t& c : out) {
    if (c >= U'ァ' && c <= U'ヶ') c -= U'ァ' - U'ぁ';
  }
  return out;
}

enum Vowel : int8_t { kNoVowel = -1, kA, kI, kU, kE, kO };

// The vowel of a large, unvoiced hiragana, kNoVowel for ん and anything that is not kana.
constexpr Vowel VowelOf(char32_t c) {
  constexpr std::u32string_view kColumns[] = {U"あかさたなはまやらわ", U"いきしちにひみり", U"うくすつぬふむゆる",
                                              U"えけせてねへめれ", U"おこそとのほもよろ"};
  for (int v = kA; v <= kO; ++v) {
    if (kColumns[v].find(c) != std::u32string_view::npos) return static_cast<Vowel>(v);
  }
  return kNoVowel;
}

// What KanaKey writes for a hiragana (steps 1 to 3 of its rules) and the vowel of that kana.
struct KeyKana {
  char32_t kana;
  Vowel vowel;
};
constexpr char32_t kFirstHiragana = U'ぁ', kLastHiragana = U'ゖ';
constexpr auto kKeyKana = [] {
  std::array<KeyKana, kLastHiragana - kFirstHiragana + 1> table{};
  for (char32_t c = kFirstHiragana; c <= kLastHiragana; ++c) {
    const char32_t large = Map(c, kSmall, kLarge);
    const char32_t key = Map(Map(large, U"ぢづゔをゐゑ", U"しすふおいえ"), kVoiced, kPlain);
    table[c - kFirstHiragana] = {key, VowelOf(key)};
  }
  return table;
}();

// ---- Addresses ------------------------------------------------------------------------------

// Hyphen-like characters that addresses use between block numbers (ー is handled apart, since it
// is a hyphen only after a digit).
bool IsHyphen(char32_t c) {
  return c == U'-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2043 || c == 0x2212 || c == 0xFE63 || c == 0xFF0D;
}

bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

constexpr std::u32string_view kKanjiDigits = U"〇一二三四五六七八九";
bool IsKanjiNumeral(char32_t c) {
  return kKanjiDigits.find(c) != std::u32string_view::npos || c == U'十' || c == U'百' || c == U'千';
}

bool IsIdeograph(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_IDEOGRAPHIC); }

// The digits of a run of kanji numerals: positional (二〇三 → 203) unless it has 十, 百 or 千,
// which multiply the digit before them (二十三 → 23, 千二百 → 1200, 十 → 10).
std::string KanjiNumber(std::u32string_view run) {
  const bool positional = run.find_first_of(U"十百千") == std::u32string_view::npos;
  std::string out;
  if (positional) {
    for (char32_t c : run) out.push_back(static_cast<char>('0' + kKanjiDigits.find(c)));
    return out;
  }
  int64_t total = 0;
  int64_t digit = -1;
  for (char32_t c : run) {
    if (size_t d = kKanjiDigits.find(c); d != std::u32string_view::npos) {
      digit = static_cast<int64_t>(d);
    } else {
      const int64_t unit = c == U'十' ? 10 : c == U'百' ? 100 : 1000;
      total += (digit < 0 ? 1 : digit) * unit;
      digit = -1;
    }
  }
  return std::to_string(total + std::max<int64_t>(digit, 0));
}

struct Prefecture {
  std::u32string_view name;  // with its suffix
  size_t stem;               // length without the suffix; == name.size() when it cannot be left out
};
constexpr Prefecture kPrefectures[] = {
    {U"北海道", 3},   {U"青森県", 2}, {U"岩手県", 2}, {U"宮城県", 2},   {U"秋田県", 2}, {U"山形県", 2},
    {U"福島県", 2},   {U"茨城県", 2}, {U"栃木県", 2}, {U"群馬県", 2},   {U"埼玉県", 2}, {U"千葉県", 2},
    {U"東京都", 2},   {U"神奈川県", 3}, {U"新潟県", 2}, {U"富山県", 2}, {U"石川県", 2}, {U"福井県", 2},
    {U"山梨県", 2},   {U"長野県", 2}, {U"岐阜県", 2}, {U"静岡県", 2},   {U"愛知県", 2}, {U"三重県", 2},
    {U"滋賀県", 2},   {U"京都府", 2}, {U"大阪府", 2}, {U"兵庫県", 2},   {U"奈良県", 2}, {U"和歌山県", 3},
    {U"鳥取県", 2},   {U"島根県", 2}, {U"岡山県", 2}, {U"広島県", 2},   {U"山口県", 2}, {U"徳島県", 2},
    {U"香川県", 2},   {U"愛媛県", 2}, {U"高知県", 2}, {U"福岡県", 2},   {U"佐賀県", 2}, {U"長崎県", 2},
    {U"熊本県", 2},   {U"大分県", 2}, {U"宮崎県", 2}, {U"鹿児島県", 3}, {U"沖縄県", 2},
};
static_assert(std::size(kPrefectures) == 47);

bool StartsWith(std::u32string_view s, size_t pos, std::u32string_view prefix) {
  return s.substr(pos, prefix.size()) == prefix;
}

// Matches a prefecture at `pos`; returns it and advances `pos`, or returns null.
const Prefecture* MatchPrefecture(std::u32string_view s, size_t& pos) {
  for (const Prefecture& p : kPrefectures) {
    if (StartsWith(s, pos, p.name)) {
      pos += p.name.size();
      return &p;
    }
  }
  for (const Prefecture& p : kPrefectures) {
    if (p.stem == p.name.size() || !StartsWith(s, pos, p.name.substr(0, p.stem))) continue;
    const size_t next = pos + p.stem;
    // A bare name followed by 市/区/町/村/郡 names a city or ward (京都市, 福島区), and a bare
    // name with nothing after it is not an address split we can trust.
    if (next >= s.size() || std::u32string_view(U"市区町村郡").find(s[next]) != std::u32string_view::npos) continue;
    pos = next;
    return &p;
  }
  return nullptr;
}

// Where the block numbers would start if the numeral run [pos, end) began them: true when the
// run is ASCII digits, or kanji numerals followed by 丁目, 番地, 号 or 番 (not 番町/番丁).
bool StartsBlockNumbers(std::u32string_view s, size_t pos, size_t end) {
  if (IsDigit(s[pos])) return true;
  if (StartsWith(s, end, U"丁目") || StartsWith(s, end, U"番地") || StartsWith(s, end, U"号")) return true;
  if (StartsWith(s, end, U"番")) {
    return !(StartsWith(s, end + 1, U"町") || StartsWith(s, end + 1, U"丁"));
  }
  return false;
}

// End of the run of numerals of one kind (ASCII digits or kanji numerals) starting at `pos`.
size_t NumeralRunEnd(std::u32string_view s, size_t pos) {
  const bool ascii = IsDigit(s[pos]);
  size_t end = pos;
  while (end < s.size() && (ascii ? IsDigit(s[end]) : IsKanjiNumeral(s[end]))) ++end;
  return end;
}

void AppendNumeralRun(std::string& out, std::u32string_view run) {
  if (IsDigit(run.front())) {
    for (char32_t c : run) out.push_back(static_cast<char>(c));
  } else {
    out += KanjiNumber(run);
  }
}

void AppendBlockHyphen(std::string& numbers) {
  if (!numbers.empty() && numbers.back() != '-') numbers.push_back('-');
}

// ---- Dates ----------------------------------------------------------------------------------

struct Era {
  char32_t letter;       // lower case, as the text is lower-cased first
  char32_t kanji;        // first kanji of its name
  char32_t second;       // second kanji of its name
  int first_year;        // Gregorian year of its year 1
  int last_year_number;  // its last year (S64 = 1989)
};
constexpr Era kEras[] = {
    {U'm', U'明', U'治', 1868, 45}, {U't', U'大', U'正', 1912, 15}, {U's', U'昭', U'和', 1926, 64},
    {U'h', U'平', U'成', 1989, 31}, {U'r', U'令', U'和', 2019, 99},
};

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsValidDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= kDays[m - 1] + (m == 2 && IsLeapYear(y) ? 1 : 0);
}

// Only called with a valid date (1 <= y <= 9999), so the result is 8 digits.
std::string FormatDate(int y, int m, int d) {
  char buf[40];  // room for any three ints, which keeps -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
  return buf;
}

bool IsDateSeparator(char32_t c) {
  return c == U'.' || c == U'/' || c == U'年' || c == U'月' || IsHyphen(c) || u_isUWhiteSpace(static_cast<UChar32>(c));
}

// Reads 1 to `max_digits` ASCII digits at `pos` (or 元 = 1 when `gannen`); -1 when there are none
// or too many.
int ReadNumber(std::u32string_view s, size_t& pos, size_t max_digits, bool gannen) {
  if (gannen && pos < s.size() && s[pos] == U'元') {
    ++pos;
    return 1;
  }
  const size_t start = pos;
  int value = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    if (pos - start == max_digits) return -1;
    value = value * 10 + static_cast<int>(s[pos] - U'0');
    ++pos;
  }
  return pos == start ? -1 : value;
}

}  // namespace

std::string NormalizeName(std::string_view text) {
  std::string out;
  for (char32_t c : NfkcCodePoints(text, Separators::kDrop)) AppendUtf8(out, Lower(FoldKanji(c)));
  return out;
}

std::string NormalizeKana(std::string_view text) { return EncodeUtf8(Hiragana(text)); }

std::string KanaKey(std::string_view text) {
  std::string out;
  Vowel kept = kNoVowel;  // the vowel of the last kana written
  for (const char32_t c : Hiragana(text)) {
    if (c == U'ー') continue;
    const KeyKana k = c >= kFirstHiragana && c <= kLastHiragana ? kKeyKana[c - kFirstHiragana] : KeyKana{c, kNoVowel};
    if ((k.kana == U'う' && (kept == kO || kept == kU)) || (k.kana == U'お' && kept == kO) ||
        (k.kana == U'い' && kept == kE)) {
      continue;
    }
    kept = k.vowel;
    AppendUtf8(out, k.kana);
  }
  return out;
}

std::string NormalizeLatin(std::string_view text) {
  std::string out;
  for (char32_t c : NfkcCodePoints(text, Separators::kKeep)) {
    if (u_isalpha(static_cast<UChar32>(c))) AppendUtf8(out, Lower(c));
  }
  return out;
}

NormalizedAddress NormalizeAddress(std::string_view text) {
  // One pass of character-level folding first, so that the split below sees one spelling.
  CodePoints s = NfkcCodePoints(text, Separators::kKeep);
  for (size_t i = 0; i < s.size(); ++i) {
    if (IsHyphen(s[i]) || (s[i] == U'ー' && i > 0 && IsDigit(s[i - 1]))) {
      s[i] = U'-';
    } else {
      s[i] = Lower(FoldKanji(s[i]));
    }
  }
  const std::u32string_view v = s;
  auto is_space = [&](size_t i) { return i < v.size() && IsSeparator(v[i]); };

  NormalizedAddress out;
  size_t pos = 0;
  while (is_space(pos)) ++pos;
  // A leading postal code: 〒 and what follows it of digits and hyphens, or NNN-NNNN.
  if (pos < v.size() && v[pos] == U'〒') {
    ++pos;
    while (pos < v.size() && (IsDigit(v[pos]) || v[pos] == U'-' || is_space(pos))) ++pos;
  } else if (pos + 8 <= v.size() && v[pos + 3] == U'-' &&
             std::all_of(v.begin() + pos, v.begin() + pos + 8, [](char32_t c) { return IsDigit(c) || c == U'-'; }) &&
             std::count(v.begin() + pos, v.begin() + pos + 8, U'-') == 1 &&
             (pos + 8 == v.size() || !IsDigit(v[pos + 8]))) {
    pos += 8;
  }
  while (is_space(pos)) ++pos;
  if (const Prefecture* p = MatchPrefecture(v, pos)) {
    for (char32_t c : p->name) AppendUtf8(out.prefecture, c);
  }

  // The locality, up to where the block numbers start.
  size_t i = pos;
  while (i < v.size()) {
    const char32_t c = v[i];
    if (is_space(i)) {
      ++i;
    } else if (StartsWith(v, i, U"大字")) {
      i += 2;
    } else if (c == U'字' && !(i > 0 && v[i - 1] == U'文')) {
      ++i;
    } else if (IsDigit(c) || IsKanjiNumeral(c)) {
      const size_t end = NumeralRunEnd(v, i);
      if (StartsWith(v, end, U"条") || StartsWith(v, end, U"線") || StartsWith(v, end, U"地割")) {
        AppendNumeralRun(out.locality, v.substr(i, end - i));
        i = end;
      } else if (StartsBlockNumbers(v, i, end)) {
        break;
      } else {
        for (; i < end; ++i) AppendUtf8(out.locality, v[i]);
      }
    } else {
      const bool between_kanji = i > 0 && i + 1 < v.size() && IsIdeograph(v[i - 1]) && IsIdeograph(v[i + 1]);
      char32_t written = c;
      if (between_kanji && std::u32string_view(U"ヶヵケがガ").find(c) != std::u32string_view::npos) written = U'ケ';
      if (between_kanji && (c == U'の' || c == U'ノ')) written = U'ノ';
      AppendUtf8(out.locality, written);
      ++i;
    }
  }
  while (!out.locality.empty() && out.locality.back() == '-') out.locality.pop_back();

  // The block numbers: numerals joined by the words and marks that separate them.
  while (i < v.size()) {
    if (IsDigit(v[i]) || IsKanjiNumeral(v[i])) {
      const size_t end = NumeralRunEnd(v, i);
      AppendNumeralRun(out.numbers, v.substr(i, end - i));
      i = end;
    } else if (StartsWith(v, i, U"丁目") || StartsWith(v, i, U"番地")) {
      AppendBlockHyphen(out.numbers);
      i += 2;
    } else if (v[i] == U'-' || v[i] == U'番') {
      AppendBlockHyphen(out.numbers);
      ++i;
    } else if (v[i] == U'号' && !StartsWith(v, i + 1, U"室")) {
      ++i;  // 号 is the last level of a block address: what follows is the building
      break;
    } else if (v[i] == U'の' && i + 1 < v.size() && (IsDigit(v[i + 1]) || IsKanjiNumeral(v[i + 1]))) {
      AppendBlockHyphen(out.numbers);
      ++i;
    } else if (is_space(i)) {
      // White space inside the numbers ("1丁目 3番", "1 - 3") is skipped; after a digit, and
      // not before a hyphen, it ends them ("9-6 203": 203 is the room).
      size_t next = i;
      while (is_space(next)) ++next;
      const bool continues = (!out.numbers.empty() && out.numbers.back() == '-') || (next < v.size() && v[next] == U'-');
      i = next;
      if (!continues) break;
    } else {
      break;
    }
  }
  while (!out.numbers.empty() && out.numbers.back() == '-') out.numbers.pop_back();

  // The rest: building and room.
  while (i < v.size()) {
    if (is_space(i)) {
      ++i;
    } else if (StartsWith(v, i, U"号室")) {
      i += 2;
    } else {
      AppendUtf8(out.rest, v[i++]);
    }
  }
  out.full = out.prefecture + out.locality + out.numbers + out.rest;
  return out;
}

std::string NormalizePhone(std::string_view text) {
  const CodePoints s = NfkcCodePoints(text, Separators::kKeep);
  size_t i = 0;
  while (i < s.size() && !IsDigit(s[i]) && s[i] != U'+') ++i;
  const bool plus = i < s.size() && s[i] == U'+';
  if (plus) ++i;
  std::string digits;
  size_t first_group = std::string::npos;  // digits before the first separator
  for (; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (IsDigit(c)) {
      digits.push_back(static_cast<char>(c));
      if (digits.size() > 15) return "";
    } else if (IsHyphen(c) || c == U'.' || c == U'(' || c == U')' || u_isUWhiteSpace(static_cast<UChar32>(c))) {
      if (first_group == std::string::npos && !digits.empty()) first_group = digits.size();
    } else {
      break;
    }
  }
  // +81..., or 81 written as its own group: Japan's country code for the trunk prefix 0.
  if (digits.starts_with("81") && (plus || first_group == 2)) {
    digits.erase(0, 2);
    if (!digits.starts_with("0")) digits.insert(digits.begin(), '0');
  }
  return digits.size() < 9 ? "" : digits;
}

std::string NormalizePostalCode(std::string_view text) {
  std::string digits;
  for (char32_t c : NfkcCodePoints(text, Separators::kKeep)) {
    if (IsDigit(c)) {
      if (digits.size() == 7) return "";
      digits.push_back(static_cast<char>(c));
    } else if (!(c == U'〒' || IsHyphen(c) || c == U'ー' || u_isUWhiteSpace(static_cast<UChar32>(c)))) {
      return "";
    }
  }
  return digits.size() == 7 ? digits : "";
}

std::string NormalizeBirthDate(std::string_view text) {
  CodePoints s = NfkcCodePoints(text, Separators::kKeep);
  for (char32_t& c : s) c = Lower(c);
  std::u32string_view v = s;
  while (!v.empty() && u_isUWhiteSpace(static_cast<UChar32>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && u_isUWhiteSpace(static_cast<UChar32>(v.back()))) v.remove_suffix(1);
  if (!v.empty() && v.back() == U'日') v.remove_suffix(1);
  if (v.empty()) return "";

  size_t pos = 0;
  const Era* era = nullptr;
  for (const Era& e : kEras) {
    if (v[0] == e.letter || v[0] == e.kanji) {
      era = &e;
      pos = v.size() > 1 && v[0] == e.kanji && v[1] == e.second ? 2 : 1;
      break;
    }
  }
  while (pos < v.size() && u_isUWhiteSpace(static_cast<UChar32>(v[pos]))) ++pos;

  int y = -1, m = -1, d = -1;
  const size_t compact = era ? 6 : 8;  // S550102, 19800102
  if (v.size() - pos == compact && std::all_of(v.begin() + pos, v.end(), IsDigit)) {
    auto number = [&](size_t from, size_t n) {
      int value = 0;
      for (size_t k = from; k < from + n; ++k) value = value * 10 + static_cast<int>(v[pos + k] - U'0');
      return value;
    };
    const size_t year_digits = era ? 2 : 4;
    y = number(0, year_digits);
    m = number(year_digits, 2);
    d = number(year_digits + 2, 2);
  } else {
    y = ReadNumber(v, pos, era ? 2 : 4, era != nullptr);
    if (y < 0 || (!era && pos != 4)) return "";  // a Gregorian year has four digits
    for (int* part : {&m, &d}) {
      const size_t separator = pos;
      while (pos < v.size() && IsDateSeparator(v[pos])) ++pos;
      if (pos == separator) return "";
      *part = ReadNumber(v, pos, 2, false);
      if (*part < 0) return "";
    }
    if (pos != v.size()) return "";
  }
  if (era) {
    if (y < 1 || y > era->last_year_number) return "";
    y += era->first_year - 1;
  }
  return IsValidDate(y, m, d) ? FormatDate(y, m, d) : "";
}

char NormalizeSex(std::string_view text) {
  std::string key;
  for (char32_t c : NfkcCodePoints(text, Separators::kDrop)) {
    AppendUtf8(key, Lower(c));
    if (key.size() > 8) return 'U';
  }
  if (key == "m" || key == "male" || key == "男" || key == "男性" || key == "1") return 'M';
  if (key == "f" || key == "female" || key == "女" || key == "女性" || key == "2") return 'F';
  return 'U';
}

}  // namespace renkei::mpi
