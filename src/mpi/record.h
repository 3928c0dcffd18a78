// A patient registration as the patient index sees it — the demographics one facility
// recorded under its local patient ID — and the normalised, comparable form (Features) that
// record linkage works on. The index keeps identifiers and these demographics only, never
// clinical content.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace renkei::mpi {

// What a facility recorded (PID of its ADT-00, or a registration request). Free text as
// written: the normalisation happens in Features.
struct Demographics {
  std::string family_kanji;  // also a Latin-script surname
  std::string given_kanji;
  std::string family_kana;   // reading, katakana or hiragana, full- or half-width
  std::string given_kana;
  std::string birth_date;    // YYYYMMDD (other forms are normalised)
  std::string sex;           // M/F/U, 男/女, 1/2 ...
  std::string postal_code;
  std::string address;
  std::string phone;
  // An identifier the facilities share, e.g. the health-insurance card's insurer number and
  // symbol/number; FEBRL's soc_sec_id. Empty when unknown.
  std::string identifier;
};

struct Registration {
  std::string record_id;  // unique in one linkage run; the hub uses "<facility>:<local_id>"
  std::string facility;
  std::string local_id;
  Demographics demographics;
};

// The fields linkage compares, in the order of score breakdowns.
enum class Field : uint8_t {
  kFamilyName,
  kGivenName,
  kFamilyKana,
  kGivenKana,
  kBirthDate,
  kSex,
  kPostalCode,
  kAddress,
  kPhone,
  kIdentifier,
};
inline constexpr int kFieldCount = 10;
std::string_view FieldName(Field f);  // "family_name", "given_name", "family_kana", ...

// The normalised form of one registration's demographics (mpi/normalize.h), packed into one
// buffer so that ten million of them fit in memory. Empty views mean "not recorded".
class Features {
 public:
  Features() = default;
  static Features From(const Demographics& d);

  std::string_view family() const { return Text(kFamily); }         // NormalizeName
  std::string_view given() const { return Text(kGiven); }
  std::string_view family_kana() const { return Text(kFamilyKana); } // NormalizeKana
  std::string_view given_kana() const { return Text(kGivenKana); }
  std::string_view family_key() const { return Text(kFamilyKey); }   // KanaKey, or the name when no kana
  std::string_view given_key() const { return Text(kGivenKey); }
  std::string_view postal_code() const { return Text(kPostal); }
  std::string_view address() const { return Text(kAddressFull); }
  std::string_view address_locality() const { return Text(kLocality); }
  std::string_view address_numbers() const { return Text(kNumbers); }
  std::string_view phone() const { return Text(kPhone); }
  std::string_view identifier() const { return Text(kIdentifier); }
  uint32_t birth_date() const { return birth_date_; }  // YYYYMMDD as a number; 0 when unknown
  char sex() const { return sex_; }                    // 'M', 'F' or 'U'

  size_t MemoryBytes() const;  // this object and its buffer

 private:
  enum Slot : uint8_t {
    kFamily, kGiven, kFamilyKana, kGivenKana, kFamilyKey, kGivenKey,
    kPostal, kAddressFull, kLocality, kNumbers, kPhone, kIdentifier, kSlots
  };
  std::string_view Text(Slot s) const {
    return std::string_view(text_).substr(offsets_[s], offsets_[s + 1] - offsets_[s]);
  }
  std::string text_;
  std::array<uint16_t, kSlots + 1> offsets_{};
  uint32_t birth_date_ = 0;
  char sex_ = 'U';
};

}  // namespace renkei::mpi
