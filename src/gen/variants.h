// How one person's details come out differently at different facilities: the recording
// variants that record linkage (名寄せ) must see through. Each function is pure and returns
// nullopt when the variant does not apply to its input, so that the generator can record a
// variant only where one really happened.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace renkei::gen {

// Old (旧字体) or variant (異体字) kanji forms: 高→髙, 崎→﨑, 辺→邊/邉, 斎→齋/齊, 浜→濱,
// 沢→澤, 島→嶋, 広→廣, 国→國, 竜→龍, 富→冨, 桜→櫻, 関→關, 恵→惠, and back. Only forms that
// ISO-2022-JP can carry (JIS X 0208, NEC row 13 and the IBM extension rows) are used.
// `choice` selects among the possible replacements.
std::optional<std::string> KanjiFormVariant(std::string_view kanji, uint64_t choice);

// Katakana spelling variants of one reading: small kana written large (シュウ→シユウ), a long
// vowel written ー instead of ウ or back (サトウ↔サトー), ヅ↔ズ and ヂ↔ジ, ヴ→ブ.
std::optional<std::string> KanaSpellingVariant(std::string_view kana, uint64_t choice);

// A keying slip in a katakana reading: one kana gains or loses its voicing mark (タ↔ダ).
std::optional<std::string> KanaTypo(std::string_view kana, uint64_t choice);

// Full-width katakana as half-width katakana (ガ → ｶﾞ), as older registration systems store them.
std::string ToHalfWidthKatakana(std::string_view kana);

// ASCII digits and '-' as full-width digits and U+2212 MINUS SIGN ("1-3-5" → "１−３−５"),
// as the NHO sample writes addresses.
std::string ToFullWidthDigits(std::string_view text);

// True when the UTF-8 text contains half-width katakana (U+FF61-U+FF9F), which MSH-18 must
// then declare as ISO IR13.
bool HasHalfWidthKatakana(std::string_view text);

}  // namespace renkei::gen
