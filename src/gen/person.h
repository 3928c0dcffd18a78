// A synthetic person as they really are (one life, one set of true details), and the
// demographics one facility recorded for them, with the recording variants that facility
// introduced. Pure: both are computed from a seeded Rng and the catalog, without I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gen/calendar.h"
#include "gen/catalog.h"
#include "gen/random.h"

namespace renkei::gen {

// Where someone lives: a town of the catalog and a block address.
struct Address {
  int town = 0;           // index into Towns()
  int chome = 1, ban = 1, go = 1;
  std::string building;   // "" or e.g. "サンハイツ203"
};

struct ConditionOnset {
  Condition condition;
  int64_t onset_day;      // the day it was diagnosed
};

// Latent laboratory state: a value at the start of the history and a drift per year.
struct LabCourse {
  double start = 0;
  double per_year = 0;
  double noise_sd = 0;
};

struct Person {
  int64_t index = 0;           // 0-based order of generation
  std::string person_id;       // "P00000001"
  char sex = 'M';
  int64_t birth_day = 0;
  Name family;                 // current surname
  Name given;
  std::optional<Name> maiden_family;  // surname before marriage, when married in the history
  int64_t marriage_day = 0;
  Address address;             // current address
  std::optional<Address> previous_address;  // before moving, when moved in the history
  int64_t move_day = 0;
  std::string home_phone;      // "054-123-4567", or "" (none)
  std::string mobile_phone;    // "090-1234-5678", or ""
  double height_cm = 0;
  double weight_kg = 0;
  std::string insurance_plan;  // JHSD0001 code^name, e.g. "39^後期高齢者医療"
  std::string insurer_number;  // 8 digits
  std::vector<ConditionOnset> conditions;
  std::vector<int> allergies;  // indexes into Allergens()
  std::array<LabCourse, kLabCount> labs;
};

// The history window: [first_day, last_day] (inclusive), last_day being the region's end date.
struct Window {
  int64_t first_day;
  int64_t last_day;
};

// Generates person `index` from its own random stream.
Person MakePerson(uint64_t seed, int64_t index, const Window& window);

// Only who person `index` is, where they live and their phones (index, person_id, sex,
// birth_day, names, marriage, addresses, move, phones): the same values as MakePerson gives,
// drawn first from the same stream, without the cost of the clinical fields (conditions,
// allergies, labs, height, weight, insurance), which stay empty.
Person MakePersonDemographics(uint64_t seed, int64_t index, const Window& window);

// What a facility's registration system holds about a person (PID of its ADT-00).
struct RecordedDemographics {
  std::string kanji_family;
  std::string kanji_given;
  std::string kana_family;     // as stored: full-width, or half-width at some facilities
  std::string kana_given;
  std::string postal_code;
  std::string address;         // free text, e.g. "静岡県静岡市駿河区登呂１−３−５"
  std::string phone;           // "" when the facility has none
  std::string work_phone;
};

// Why one facility's record of a person differs from the truth (kept for tests and the
// summary, never written to the trees).
struct RecordingVariants {
  bool kanji_form = false;     // old/variant kanji form of the surname or given name
  bool kana_spelling = false;  // kana spelling variant
  bool homophone = false;      // given name written with other kanji of the same reading
  bool kana_typo = false;      // voicing-mark slip in the kana
  bool halfwidth_kana = false; // kana stored half-width
  bool maiden_name = false;    // surname from before marriage
  bool old_address = false;    // address from before moving
  bool missing_phone = false;
  bool any() const {
    return kanji_form || kana_spelling || homophone || kana_typo || maiden_name || old_address || missing_phone;
  }
};

// How a facility writes what it records.
struct RecordingHabits {
  bool halfwidth_kana = false;     // an older system: kana in half-width katakana
  bool fullwidth_digits = true;    // "１−３−５" rather than "1-3-5"
  bool banchi_words = false;       // "1丁目3番5号" rather than "1-3-5"
};

// The demographics a facility recorded when it registered the person on `day`. `faithful`
// registrations copy the truth (as of `day`); the others may carry variants, drawn from `rng`.
RecordedDemographics Record(const Person& person, int64_t day, const RecordingHabits& habits, bool faithful,
                            Rng& rng, RecordingVariants* variants);

// The text of an address in a facility's habit.
std::string AddressText(const Address& address, const RecordingHabits& habits);

// True when the person has the condition diagnosed on or before `day`.
bool HasConditionOn(const Person& person, Condition c, int64_t day);

}  // namespace renkei::gen
