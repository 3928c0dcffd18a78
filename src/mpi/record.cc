#include "mpi/record.h"

#include <algorithm>
#include <charconv>

#include "mpi/normalize.h"

namespace renkei::mpi {

std::string_view FieldName(Field f) {
  switch (f) {
    case Field::kFamilyName: return "family_name";
    case Field::kGivenName: return "given_name";
    case Field::kFamilyKana: return "family_kana";
    case Field::kGivenKana: return "given_kana";
    case Field::kBirthDate: return "birth_date";
    case Field::kSex: return "sex";
    case Field::kPostalCode: return "postal_code";
    case Field::kAddress: return "address";
    case Field::kPhone: return "phone";
    case Field::kIdentifier: return "identifier";
  }
  return "unknown";
}

Features Features::From(const Demographics& d) {
  Features f;
  const NormalizedAddress address = NormalizeAddress(d.address);
  const std::string family = NormalizeName(d.family_kanji);
  const std::string given = NormalizeName(d.given_kanji);
  const std::string family_kana = NormalizeKana(d.family_kana);
  const std::string given_kana = NormalizeKana(d.given_kana);
  // Blocking and fuzzy comparison use the reading when there is one (kanji vary more than
  // readings); Latin names (no reading) stand for themselves.
  std::string family_key = KanaKey(d.family_kana);
  std::string given_key = KanaKey(d.given_kana);
  if (family_key.empty()) family_key = family;
  if (given_key.empty()) given_key = given;
  std::string identifier;
  for (char c : d.identifier) {
    if (c != ' ' && c != '-') identifier.push_back(c);
  }
  std::string postal = NormalizePostalCode(d.postal_code);
  // Other countries' postal codes (FEBRL's are Australian, four digits) as their digits.
  if (postal.empty() && d.postal_code.size() >= 3 && d.postal_code.size() <= 10 &&
      d.postal_code.find_first_not_of("0123456789") == std::string::npos) {
    postal = d.postal_code;
  }
  const std::string phone = NormalizePhone(d.phone);
  const std::string_view parts[kSlots] = {family,     given,  family_kana,  given_kana,       family_key,
                                          given_key,  postal, address.full, address.locality, address.numbers,
                                          phone,      identifier};
  // Each field is capped so that the offsets fit in 16 bits; real demographics are far shorter.
  constexpr size_t kFieldCap = 1024;
  for (int s = 0; s < kSlots; ++s) {
    f.offsets_[s] = static_cast<uint16_t>(f.text_.size());
    f.text_.append(parts[s].substr(0, kFieldCap));
  }
  f.offsets_[kSlots] = static_cast<uint16_t>(f.text_.size());
  f.text_.shrink_to_fit();
  const std::string birth = NormalizeBirthDate(d.birth_date);
  if (!birth.empty()) std::from_chars(birth.data(), birth.data() + birth.size(), f.birth_date_);
  f.sex_ = NormalizeSex(d.sex);
  return f;
}

size_t Features::MemoryBytes() const {
  return sizeof(Features) + (text_.capacity() > 15 ? text_.capacity() + 1 : 0);
}

}  // namespace renkei::mpi
