#include "gen/person.h"

#include <algorithm>

#include <fmt/format.h>

#include "gen/variants.h"

namespace renkei::gen {
namespace {

// Age (in years at the end of the history) by decade, weighted like a hospital's patients.
constexpr int kAgeWeights[] = {6, 5, 7, 9, 12, 14, 17, 18, 10, 2};

Address MakeAddress(Rng& rng) {
  Address a;
  a.town = static_cast<int>(rng.Below(Towns().size()));
  a.chome = static_cast<int>(rng.Between(1, 5));
  a.ban = static_cast<int>(rng.Between(1, 30));
  a.go = static_cast<int>(rng.Between(1, 20));
  if (rng.Chance(0.25)) {
    static constexpr std::string_view kBuildings[] = {"サンハイツ", "コーポ富士見", "グランメゾン", "ハイム青葉",
                                                      "パークサイド", "メゾン桜"};
    // One draw per statement: the order of evaluation of operands is unspecified.
    const std::string_view building = kBuildings[rng.Below(std::size(kBuildings))];
    const int64_t floor = rng.Between(1, 8);
    const int64_t room = rng.Between(1, 12);
    a.building = fmt::format("{}{}", building, floor * 100 + room);
  }
  return a;
}

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.Below(10)));
  return s;
}

// A fixed-line number in the town's area code: ten digits in all.
std::string HomePhone(Rng& rng, std::string_view area) {
  const int local = 10 - static_cast<int>(area.size());
  const int exchange = local - 4;
  std::string ex = Digits(rng, exchange);
  if (ex[0] == '0') ex[0] = '2';
  return fmt::format("{}-{}-{}", area, ex, Digits(rng, 4));
}

std::string MobilePhone(Rng& rng) {
  static constexpr std::string_view kPrefixes[] = {"090", "080", "070"};
  const std::string_view prefix = kPrefixes[rng.Below(3)];
  const std::string exchange = Digits(rng, 4);
  return fmt::format("{}-{}-{}", prefix, exchange, Digits(rng, 4));
}

// Yearly chance (per mille) of having each condition by the end of the history, by age band.
int ConditionPerMille(Condition c, int age, char sex) {
  const int band = age < 30 ? 0 : age < 50 ? 1 : age < 65 ? 2 : 3;
  static constexpr int kTable[kConditionCount][4] = {
      {20, 100, 300, 550},  // hypertension
      {5, 40, 120, 180},    // type 2 diabetes
      {20, 120, 280, 350},  // dyslipidemia
      {5, 10, 60, 150},     // chronic kidney disease
      {5, 60, 90, 90},      // hyperuricemia (men; women a fifth)
      {20, 60, 80, 90},     // reflux esophagitis
  };
  int p = kTable[static_cast<int>(c)][band];
  if (c == Condition::kHyperuricemia && sex == 'F') p /= 5;
  return p;
}

void MakeLabs(Person& p, const Window& w, Rng& rng) {
  auto has = [&](Condition c) { return HasConditionOn(p, c, w.last_day); };
  const bool m = p.sex == 'M';
  // Each course draws its start, then its drift: one statement each, so that the order of the
  // draws does not depend on the compiler.
  auto set = [&](Lab lab, double start, double per_year, double sd) {
    p.labs[static_cast<size_t>(lab)] = {start, per_year, sd};
  };
  const bool dm = has(Condition::kType2Diabetes), dl = has(Condition::kDyslipidemia),
             ckd = has(Condition::kChronicKidneyDisease), hu = has(Condition::kHyperuricemia);
  double start = dm ? rng.Normal(7.4, 0.8) : rng.Normal(5.5, 0.3);
  set(Lab::kHbA1c, start, dm ? rng.Normal(-0.1, 0.2) : 0.02, 0.2);
  start = dm ? rng.Normal(145, 25) : rng.Normal(92, 8);
  set(Lab::kGlucose, start, dm ? rng.Normal(-3, 6) : 0.5, dm ? 15 : 6);
  set(Lab::kTriglyceride, dl ? rng.Normal(190, 50) : rng.Normal(m ? 115 : 85, 30), 0, 25);
  set(Lab::kHdl, dl ? rng.Normal(45, 8) : rng.Normal(m ? 55 : 65, 10), 0, 4);
  start = dl ? rng.Normal(165, 25) : rng.Normal(115, 20);
  set(Lab::kLdl, start, dl ? rng.Normal(-8, 5) : 0, 10);
  set(Lab::kAst, rng.Normal(22, 5), 0, 4);
  set(Lab::kAlt, rng.Normal(m ? 24 : 16, 7), 0, 5);
  set(Lab::kGgt, rng.Normal(m ? 35 : 20, m ? 15 : 6), 0, 6);
  start = ckd ? rng.Normal(m ? 1.6 : 1.3, 0.3) : rng.Normal(m ? 0.85 : 0.62, 0.09);
  set(Lab::kCreatinine, start, ckd ? rng.Normal(0.08, 0.05) : 0.005, 0.05);
  set(Lab::kEgfr, 0, 0, 0);  // computed from creatinine, age and sex
  set(Lab::kUricAcid, hu ? rng.Normal(8.2, 0.8) : rng.Normal(m ? 5.6 : 4.4, 0.9), hu ? -0.3 : 0.0, 0.3);
  set(Lab::kTotalProtein, rng.Normal(7.1, 0.3), 0, 0.2);
  set(Lab::kAlbumin, rng.Normal(4.3, 0.25), -0.02, 0.15);
}

// Who the person is, where they live and how to reach them: the first draws of their stream.
// Returns their age at the end of the history, which the clinical draws depend on.
int DrawDemographics(Person& p, const Window& window, Rng& rng) {
  p.sex = rng.Chance(0.52) ? 'F' : 'M';
  const int decade = static_cast<int>(rng.Weighted(kAgeWeights));
  const int age = decade * 10 + static_cast<int>(rng.Below(10));
  p.birth_day = window.last_day - static_cast<int64_t>(age) * 365 - age / 4 - static_cast<int64_t>(rng.Below(365));
  const NameCatalog& names = Names();
  p.family = rng.Pick(names.surnames());
  p.given = rng.Pick(names.given(p.sex));
  const int age_at_start = AgeOn(p.birth_day, window.first_day);
  if (p.sex == 'F' && age_at_start >= 22 && age_at_start <= 40 && window.last_day - window.first_day > 90 &&
      rng.Chance(0.12)) {
    Name spouse = rng.Pick(names.surnames());
    if (spouse.kanji != p.family.kanji) {
      p.maiden_family = p.family;
      p.family = spouse;
      p.marriage_day = rng.Between(window.first_day + 30, window.last_day - 30);
    }
  }
  p.address = MakeAddress(rng);
  if (window.last_day - window.first_day > 90 && rng.Chance(0.10)) {
    p.previous_address = MakeAddress(rng);
    p.move_day = rng.Between(window.first_day + 30, window.last_day - 30);
  }
  const std::string_view area = Towns()[p.address.town].area_code;
  const double r = rng.Unit();
  if (r < 0.70) p.home_phone = HomePhone(rng, area);
  if (r >= 0.35 && r < 0.97) p.mobile_phone = MobilePhone(rng);
  return age;
}

// Conditions, allergies, laboratory courses, body and insurance: the draws after the
// demographics, from the same stream.
void DrawClinical(Person& p, int age, const Window& window, Rng& rng) {
  for (int c = 0; c < kConditionCount; ++c) {
    auto cond = static_cast<Condition>(c);
    int per_mille = ConditionPerMille(cond, age, p.sex);
    if (cond == Condition::kChronicKidneyDisease &&
        (HasConditionOn(p, Condition::kHypertension, window.last_day) ||
         HasConditionOn(p, Condition::kType2Diabetes, window.last_day))) {
      per_mille = per_mille * 3 / 2;
    }
    if (static_cast<int>(rng.Below(1000)) >= per_mille) continue;
    const int64_t earliest = std::max(p.birth_day + 25 * 365, window.first_day - 10 * 365);
    const int64_t latest = window.last_day - 30;
    if (earliest > latest) continue;
    p.conditions.push_back({cond, rng.Between(earliest, latest)});
  }
  if (rng.Chance(0.15)) {
    const int n = rng.Chance(0.3) ? 2 : 1;
    for (int i = 0; i < n; ++i) {
      int a = static_cast<int>(rng.Below(Allergens().size()));
      if (std::find(p.allergies.begin(), p.allergies.end(), a) == p.allergies.end()) p.allergies.push_back(a);
    }
  }
  MakeLabs(p, window, rng);
  if (age >= 18) {
    p.height_cm = p.sex == 'M' ? rng.Normal(168, 6) : rng.Normal(155, 5.5);
  } else {
    p.height_cm = 52 + age * 6.3 + rng.Normal(0, 4);
  }
  p.weight_kg = rng.Normal(p.sex == 'M' ? 23 : 21.5, 2.8) * (p.height_cm / 100) * (p.height_cm / 100);
  if (age >= 75) {
    p.insurance_plan = "39^後期高齢者医療";
    p.insurer_number = fmt::format("39{}", Digits(rng, 6));
  } else if (rng.Chance(0.5)) {
    p.insurance_plan = "01^全国健康保険協会管掌健康保険";
    p.insurer_number = fmt::format("01{}", Digits(rng, 6));
  } else {
    p.insurance_plan = "06^組合管掌健康保険";
    p.insurer_number = fmt::format("06{}", Digits(rng, 6));
  }
}

Person Identified(int64_t index) {
  Person p;
  p.index = index;
  p.person_id = fmt::format("P{:08}", index + 1);
  return p;
}

}  // namespace

bool HasConditionOn(const Person& person, Condition c, int64_t day) {
  for (const ConditionOnset& o : person.conditions) {
    if (o.condition == c && o.onset_day <= day) return true;
  }
  return false;
}

Person MakePerson(uint64_t seed, int64_t index, const Window& window) {
  Rng rng = Rng::For(seed, StreamKind::kPerson, static_cast<uint64_t>(index));
  Person p = Identified(index);
  const int age = DrawDemographics(p, window, rng);
  DrawClinical(p, age, window, rng);
  return p;
}

Person MakePersonDemographics(uint64_t seed, int64_t index, const Window& window) {
  Rng rng = Rng::For(seed, StreamKind::kPerson, static_cast<uint64_t>(index));
  Person p = Identified(index);
  DrawDemographics(p, window, rng);
  return p;
}

std::string AddressText(const Address& a, const RecordingHabits& habits) {
  const Town& t = Towns()[a.town];
  std::string block = habits.banchi_words ? fmt::format("{}丁目{}番{}号", a.chome, a.ban, a.go)
                                          : fmt::format("{}-{}-{}", a.chome, a.ban, a.go);
  std::string text = fmt::format("{}{}{}{}", t.prefecture, t.city, t.town, block);
  if (!a.building.empty()) text += fmt::format("{}{}", habits.fullwidth_digits ? "　" : " ", a.building);
  return habits.fullwidth_digits ? ToFullWidthDigits(text) : text;
}

RecordedDemographics Record(const Person& person, int64_t day, const RecordingHabits& habits, bool faithful,
                            Rng& rng, RecordingVariants* variants) {
  // A fixed number of draws whatever applies, so that a later update of the same record drawn
  // from a copy of the same Rng repeats the same variants.
  double draws[6];
  for (double& d : draws) d = rng.Unit();
  const uint64_t choice = rng.Next();

  RecordingVariants v;
  RecordedDemographics r;
  Name family = person.family;
  if (person.maiden_family && day < person.marriage_day) {
    family = *person.maiden_family;
    v.maiden_name = true;
  }
  const Address* address = &person.address;
  if (person.previous_address && day < person.move_day) {
    address = &*person.previous_address;
    v.old_address = true;
  }
  std::string family_kanji(family.kanji), given_kanji(person.given.kanji);
  std::string family_kana(family.kana), given_kana(person.given.kana);
  if (!faithful) {
    if (draws[0] < 0.35) {
      if (auto k = KanjiFormVariant(family_kanji, choice)) {
        family_kanji = *k;
        v.kanji_form = true;
      } else if (auto g = KanjiFormVariant(given_kanji, choice)) {
        given_kanji = *g;
        v.kanji_form = true;
      }
    }
    if (draws[1] < 0.12) {
      if (auto k = KanaSpellingVariant(family_kana, choice)) {
        family_kana = *k;
        v.kana_spelling = true;
      } else if (auto g = KanaSpellingVariant(given_kana, choice >> 8)) {
        given_kana = *g;
        v.kana_spelling = true;
      }
    }
    if (draws[2] < 0.05) {
      if (auto h = Names().Homophone(person.sex, person.given, choice >> 16)) {
        given_kanji = std::string(h->kanji);
        v.homophone = true;
      }
    }
    if (draws[3] < 0.03) {
      if (auto t = KanaTypo(given_kana, choice >> 24)) {
        given_kana = *t;
        v.kana_typo = true;
      }
    }
  }
  r.kana_family = habits.halfwidth_kana ? ToHalfWidthKatakana(family_kana) : family_kana;
  r.kana_given = habits.halfwidth_kana ? ToHalfWidthKatakana(given_kana) : given_kana;
  v.halfwidth_kana = habits.halfwidth_kana;
  r.kanji_family = family_kanji;
  r.kanji_given = given_kanji;
  r.postal_code = std::string(Towns()[address->town].postal_code);
  r.address = AddressText(*address, habits);
  r.phone = !person.home_phone.empty() ? person.home_phone : person.mobile_phone;
  if (!faithful && !r.phone.empty() && draws[4] < 0.15) {
    r.phone.clear();
    v.missing_phone = true;
  }
  if (variants) *variants = v;
  return r;
}

}  // namespace renkei::gen
