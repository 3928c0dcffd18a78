// What the synthetic region is made of: the embedded name and town lists (data/names,
// data/places) and the clinical vocabulary — conditions, diagnoses, drugs, laboratory tests,
// imaging exams, allergies and departments — with the codes SS-MIX2 files carry.
//
// Which codes are real: the JLAC10 laboratory codes, the JJ1017 imaging codes, the allergen
// codes, the SS-MIX2 department codes, the JAMI usage codes for 1x3 and 1x2 dosing and the
// MEDIS codes marked `verified` come from the NHO sample tree, the MHLW specific-health-check
// code table or JP Core; ICD-10 codes are real. HOT9 drug codes, the other MEDIS disease codes
// and the once-daily JAMI usage codes have the right shape but are placeholders (see
// catalog.cc): tests and linkage must not read meaning into them.
//
// Everything here is immutable after first use and safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace renkei::gen {

// A name as written in kanji with its katakana reading.
struct Name {
  std::string_view kanji;
  std::string_view kana;
};

class NameCatalog {
 public:
  std::span<const Name> surnames() const { return surnames_; }
  // Given names for sex 'M' or 'F'.
  std::span<const Name> given(char sex) const { return sex == 'M' ? male_ : female_; }
  // Another given name of this sex read the same way but written differently (the clerk
  // heard the name and chose other kanji), or nullopt when the reading has one spelling.
  std::optional<Name> Homophone(char sex, const Name& name, uint64_t choice) const;

  // Parses the embedded names.tsv; crashes on malformed embedded data (a build error).
  static NameCatalog Parse(std::string_view tsv);

 private:
  std::vector<Name> surnames_, male_, female_;
  std::vector<Name> male_by_kana_, female_by_kana_;  // sorted by kana, for Homophone
};

// The names compiled into the binary.
const NameCatalog& Names();

struct Town {
  std::string_view prefecture;  // "静岡県"
  std::string_view city;        // "静岡市駿河区"
  std::string_view town;        // "登呂"
  std::string_view postal_code; // "422-8033"
  std::string_view area_code;   // "054"
};
// The towns compiled into the binary.
std::span<const Town> Towns();
// JIS X 0401 prefecture code of a prefecture in Towns() ("22" Shizuoka, "13" Tokyo).
std::string_view PrefectureCode(std::string_view prefecture);

// A coded diagnosis as PPR-01 writes it: MEDIS 病名管理番号 and 交換用コード (MDCDX2), ICD-10.
struct Diagnosis {
  std::string_view name;       // "本態性高血圧症"
  std::string_view medis_id;   // 8 digits
  std::string_view medis_exchange;  // 4 characters
  std::string_view icd10;      // "I10", without the dot as JAHIS writes it
  bool verified;               // MEDIS codes taken from a published source
};

// A drug with how it is usually prescribed.
struct Drug {
  std::string_view hot9;       // 9 digits (placeholder, see above)
  std::string_view name;       // "アムロジピン錠5mg"
  std::string_view unit_code;  // MR9P unit: "TAB", "CAP"
  std::string_view unit_name;  // "錠", "カプセル"
  int dose;                    // units per administration
  int times_per_day;
  std::string_view usage_code; // JAMI 16-digit usage code (JAMISDP01)
  std::string_view usage_name; // "内服・経口・１日３回朝昼夕食後"
};

// Chronic conditions a synthetic person may live with.
enum class Condition {
  kHypertension,
  kType2Diabetes,
  kDyslipidemia,
  kChronicKidneyDisease,
  kHyperuricemia,
  kRefluxEsophagitis,
};
inline constexpr int kConditionCount = 6;

// A laboratory test (JLAC10, system JC10) with its reference range per sex.
struct LabTest {
  std::string_view jlac10;
  std::string_view name;
  std::string_view unit;
  int decimals;
  double low_m, high_m, low_f, high_f;  // high < 0: no upper limit (range written ">low")
};
enum class Lab {
  kHbA1c, kGlucose, kTriglyceride, kHdl, kLdl, kAst, kAlt, kGgt, kCreatinine, kEgfr, kUricAcid,
  kTotalProtein, kAlbumin,
};
inline constexpr int kLabCount = 13;

struct ConditionInfo {
  Condition condition;
  Diagnosis diagnosis;
  std::string_view department;     // SS-MIX2 department code that manages it
  std::vector<int> drugs;          // indexes into Drugs(): the alternatives for the first line
  std::vector<Lab> labs;           // what is followed at visits
};

// A problem that brings a person to a facility once: an acute visit or an admission.
struct EpisodeInfo {
  Diagnosis diagnosis;
  std::string_view department;
  std::vector<int> drugs;  // prescribed at the visit or at discharge
  bool admission;          // needs a stay (hospitals only)
  int min_stay_days, max_stay_days;
  std::string_view course;  // one sentence for the discharge summary
};

struct ImagingExam {
  std::string_view jj1017;
  std::string_view name;
};

struct Allergen {
  std::string_view kind;       // HL70127: DA drug, FA food, EA environment, LA pollen
  std::string_view kind_name;
  std::string_view code;
  std::string_view name;
  std::string_view system;     // JC10, HOT9 or a local 99xxx system
  std::string_view reaction;
};

struct Department {
  std::string_view code;
  std::string_view name;
};

std::span<const Drug> Drugs();
std::span<const ConditionInfo> Conditions();  // indexed by Condition
const ConditionInfo& InfoOf(Condition c);
std::span<const EpisodeInfo> Episodes();
std::span<const LabTest> LabTests();          // indexed by Lab
const LabTest& TestOf(Lab lab);
std::span<const ImagingExam> ImagingExams();
std::span<const Allergen> Allergens();
std::span<const Department> Departments();
// The name of a department code ("01" → "内科"); "" when unknown.
std::string_view DepartmentName(std::string_view code);

}  // namespace renkei::gen
