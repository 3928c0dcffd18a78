// Field normalisation for record linkage (名寄せ): every demographic field of a registration is
// brought to one comparable form before the patient index compares or blocks on it, so that
// the ways different registration desks write the same person (old kanji forms, half-width
// kana, full-width digits, 丁目番地 words, era dates) do not count as differences.
//
// All functions are pure, thread-safe and never throw: invalid UTF-8 is read as U+FFFD (one per
// ill-formed sequence, which then stays in the output as U+FFFD where text is kept), empty
// input gives an empty result, and any input length is handled in time linear in its length.
// Outputs are valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace renkei::mpi {

// A written (kanji) name as a comparison key: NFKC; white space (U+3000 included), control and
// format characters (zero-width space, BOM) and the middle dots ・ ･ · removed; old and variant kanji forms (異体字) folded to the common form
// (髙→高, 﨑/嵜/碕→崎, 邊/邉→辺, 齋/齊/斉→斎, 濱/濵→浜, 澤→沢, 嶋/嶌→島, 廣→広, 國→国, 龍→竜, 冨→富,
// 櫻→桜, 關→関, 惠→恵, 德→徳, 眞→真, 實→実, 藏→蔵, 萬→万, 彌→弥, 與→与, 壽→寿, 榮→栄, 會→会,
// 學→学, 淺→浅, 應→応, 來→来, 靜→静, 條→条, 瀨→瀬, 槇→槙, 𠮷→吉, 栁→柳; CJK compatibility
// ideographs such as 塚 U+FA10 fold through NFKC); letters lower-cased. Kana are kept as written.
// "髙橋　太郎" → "高橋太郎".
std::string NormalizeName(std::string_view text);

// A kana reading in its exact-match form: NFKC (half-width ｶﾞ → ガ), katakana as hiragana,
// separators removed as in NormalizeName. A spacing voicing mark joins the kana before it
// (カ゛ → が, even across a space), and a mark on something that takes none (ﾝﾞ) is dropped.
// The long vowel mark ー is kept.
// "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ" and "やまだたろう" all give "やまだたろう".
std::string NormalizeKana(std::string_view text);

// A looser key of a reading for fuzzy comparison and blocking. From NormalizeKana, each kana is
// rewritten in this order:
//   1. small kana as large ones: ぁぃぅぇぉ→あいうえお, っ→つ, ゃゅょ→やゆよ, ゎ→わ, ゕ→か, ゖ→け;
//   2. ぢ→し, づ→す (so that ぢ/じ/し and づ/ず/す meet), ゔ→ふ (ヴ is written ブ as often as
//      ヴ, and ブ loses its mark in step 3), を→お, ゐ→い, ゑ→え;
//   3. every other voiced or semi-voiced kana loses its mark: が→か, ざ→さ, だ→た, ば/ぱ→は, ...;
//   4. ー is dropped, and so is a vowel that only lengthens the kana kept before it: う after a
//      kana of the o or u column (とう, ゆう, うう), お after one of the o column (おお), い after
//      one of the e column (えい). "Kept before it" is the last kana not dropped, so とうう → と.
// Anything that is not kana passes through unchanged. サトウ, サトー, サト and ｻﾄｳ all give "さと";
// シュウ and シユウ give "しゆ"; ヂ/ジ and ヅ/ズ agree; a voicing slip (タ↔ダ) disappears, except
// チ↔ヂ and ツ↔ヅ, which stay one kana apart (ヂ and ヅ meet ジ and ズ instead).
std::string KanaKey(std::string_view text);

// A Latin-script name (e.g. FEBRL's English test data): NFKC, lower-cased, only letters kept.
// "O'Brien-Smith" → "obriensmith". Kana from romaji is out of scope.
std::string NormalizeLatin(std::string_view text);

// An address split for matching.
struct NormalizedAddress {
  std::string prefecture;  // "静岡県", always with its 都道府県 suffix; "" when none was written
  std::string locality;    // city, ward and town before the block numbers: "静岡市駿河区登呂"
  std::string numbers;     // block numbers joined by '-': "1-3-5"; "" when none
  std::string rest;        // building and room after the numbers: "サンハイツ203"
  std::string full;        // prefecture + locality + numbers + rest: the comparable whole
};

// Splits and normalises a free-text Japanese address:
//   * NFKC (full-width digits and letters, half-width kana), Latin letters lower-cased, kanji
//     forms folded as in NormalizeName; white space removed (but white space after a digit
//     ends the block numbers: "9-6 203" keeps 203 in `rest`);
//   * a leading postal code ("〒420-0001", "420-0001") is dropped;
//   * the prefecture is one of the 47, written with its suffix (静岡県, 東京都, 大阪府, 北海道) or
//     without it ("静岡静岡市..."); a bare name followed by 市/区/町/村/郡 is a city (京都市,
//     福島区), not the prefecture;
//   * in the locality, 大字 is dropped and so is 字 (except in 文字, as in 十文字); ヶ/ヵ/ケ/が/ガ
//     between two kanji become ケ (霞が関 = 霞ヶ関) and の/ノ between two kanji become ノ
//     (虎の門 = 虎ノ門); a number followed by 条, 線 or 地割 (北1条, 北一条) stays in the
//     locality, with kanji numerals as digits;
//   * the block numbers start at the first digit, or at the first kanji numeral followed by
//     丁目, 番地, 号 or 番 (but not 番町/番丁: 一番町 is a town name); in them kanji numerals become
//     digits (一→1, 二十三→23, 二〇三→203), and 丁目, 番地, 番, の (before a numeral) and hyphens
//     (- ‐ ‑ ‒ – — ― − ﹣, and ー/ｰ after a digit) become one '-', with none leading or trailing;
//     号 (the last level of a block address) ends them, and so does anything else;
//   * what follows the numbers is `rest`, with 号室 dropped ("9番6号203号室" → "9-6", "203").
// `full` joins the parts without a separator, so "9-6 203" and "9-6203" give the same `full`;
// compare `numbers` and `rest` apart where that matters.
// "〒420-0001 静岡県静岡市葵区追手町９番６号 サンハイツ２０３" →
//   {"静岡県", "静岡市葵区追手町", "9-6", "サンハイツ203", "静岡県静岡市葵区追手町9-6サンハイツ203"}.
NormalizedAddress NormalizeAddress(std::string_view text);

// A phone number as digits only. Leading text without digits ("TEL:") is skipped; the number
// then runs over digits (full-width too), hyphens, dots, brackets and white space, and ends at
// any other character (so "内線12" or a second number after '/' is not appended). A "+81" or
// "81-"/"81 " country prefix becomes a leading 0, and a "(0)" after it is dropped.
// "" when fewer than 9 or more than 15 digits (the E.164 maximum) remain.
// "054-123-4567", "０５４（１２３）４５６７" and "+81 54 123 4567" all give "0541234567".
std::string NormalizePhone(std::string_view text);

// A postal code as its 7 digits: "〒420-0001", "4200001", "４２０−０００１" → "4200001".
// Only digits, 〒, hyphens and white space may appear; "" otherwise or when not exactly 7 digits.
std::string NormalizePostalCode(std::string_view text);

// A birth date as YYYYMMDD, from (after NFKC and trimming white space):
//   YYYYMMDD; YYYY-MM-DD, YYYY/M/D, YYYY.M.D and YYYY年M月D日 (separators may be mixed);
//   Japanese era dates: an era as a letter (M T S H R, any case), a kanji (明 大 昭 平 令) or
//   its full name (明治 大正 昭和 平成 令和), then year, month and day separated as above, or
//   six digits YYMMDD: "S55.1.2", "昭和55年1月2日", "H2/3/4", "令和元年5月1日", "S550102".
// The era year must lie within the era (S1-S64, H1-H31, ...); a date in the final year after
// the era ended (H31.5.10) is accepted, as forms printed before 2019-05-01 still write it.
// "" when the text has none of these shapes or is not a valid Gregorian calendar date.
std::string NormalizeBirthDate(std::string_view text);

// Sex as 'M', 'F' or 'U': M/F (any case), male/female, 男/女/男性/女性, 1/2 (JIS X 0303) give
// 'M'/'F'; U/O/A/N, 0/9, any other text, and empty text give 'U'.
char NormalizeSex(std::string_view text);

}  // namespace renkei::mpi
